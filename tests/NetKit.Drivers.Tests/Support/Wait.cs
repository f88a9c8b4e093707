using System;
using System.Diagnostics;
using System.Threading;
using Xunit.Sdk;

namespace NetKit.Drivers.Tests.Support;

internal static class Wait
{
    /// <summary>Polls <paramref name="condition"/> until it holds, failing with <paramref name="what"/> after the timeout.</summary>
    public static void Until(Func<bool> condition, string what, int timeoutMilliseconds = 20_000)
    {
        var watch = Stopwatch.StartNew();
        var spinner = new SpinWait();
        while (!condition())
        {
            if (watch.ElapsedMilliseconds > timeoutMilliseconds)
                throw new XunitException($"timed out after {timeoutMilliseconds} ms waiting for {what}");
            if (spinner.NextSpinWillYield) Thread.Sleep(1);
            else spinner.SpinOnce();
        }
    }
}
