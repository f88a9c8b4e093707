using System;
using NetKit.Runtime.Diagnostics;

namespace NetKit.Runtime.Tests.Support;

/// <summary>Sets the misuse policy for one test, zeroes the counters, and restores the policy afterwards.</summary>
internal sealed class MisuseScope : IDisposable
{
    private readonly MisusePolicy _previous;

    public MisuseScope(MisusePolicy policy)
    {
        _previous = Misuse.Policy;
        Misuse.Policy = policy;
        Misuse.Reset();
    }

    public void Dispose()
    {
        Misuse.Policy = _previous;
        Misuse.Reset();
    }
}
