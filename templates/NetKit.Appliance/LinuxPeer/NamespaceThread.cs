using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace NetKit.Appliance.LinuxPeer;

/// <summary>
/// Runs code on a dedicated thread switched into a named network namespace with setns(2). A namespace is a property
/// of each thread (task) in Linux, and a socket keeps the namespace it was created in: sockets made here can then be
/// used from any thread, which lets a test's own System.Net.Sockets client act as a peer inside the namespace.
/// The thread switches back to its original namespace before it ends.
/// </summary>
public static class NamespaceThread
{
    /// <summary>Runs <paramref name="work"/> inside namespace <paramref name="namespaceName"/> and returns its result.</summary>
    public static Task<T> RunAsync<T>(string namespaceName, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(RunHere(namespaceName, work));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = $"netns {namespaceName}",
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>Synchronous form of <see cref="RunAsync"/> (blocks the caller until the namespace thread finishes).</summary>
    public static T Run<T>(string namespaceName, Func<T> work) => RunAsync(namespaceName, work).GetAwaiter().GetResult();

    private static T RunHere<T>(string namespaceName, Func<T> work)
    {
        // /proc/thread-self: this thread's own namespace (/proc/self would name the main thread's).
        using var original = File.OpenHandle("/proc/thread-self/ns/net", FileMode.Open, FileAccess.Read);
        using var target = File.OpenHandle(PeerNamespace.PathOf(namespaceName), FileMode.Open, FileAccess.Read);
        Enter(target.DangerousGetHandle(), namespaceName);
        try
        {
            return work();
        }
        finally
        {
            Enter(original.DangerousGetHandle(), "the original namespace");
        }
    }

    private static void Enter(IntPtr fd, string what)
    {
        if (LinuxNative.SetNs((int)fd, LinuxNative.CloneNewNet) != 0)
            throw new IOException($"setns into {what} failed: errno {Marshal.GetLastPInvokeError()}");
    }
}
