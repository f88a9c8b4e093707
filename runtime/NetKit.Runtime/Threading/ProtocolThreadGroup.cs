using System;
using System.Threading;
using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.Hashing;
using NetKit.Runtime.Interop;
using NetKit.Runtime.Messaging;

namespace NetKit.Runtime.Threading;

/// <summary>
/// The set of protocol threads of one stack (DragonFly <c>netisr_threads[]</c>, <c>netisr_ncpus</c>). Routes
/// work by flow hash (<c>netisr_hashport</c>) and runs chained "global" operations that visit thread
/// 0 → 1 → … → N-1 (<c>netisr_domsg_global</c>/<c>netisr_forwardmsg</c>).
/// </summary>
public sealed unsafe class ProtocolThreadGroup : IDisposable
{
    private readonly ProtocolThread[] _threads;
    private int _state; // 0 created, 1 started, 2 stopped

    public ProtocolThreadGroup(ProtocolThreadOptions? options = null)
    {
        Options = options ?? new ProtocolThreadOptions();
        Options.Validate();
        var cpus = Options.Cpus ?? LinuxScheduling.AllowedCpus();
        _threads = new ProtocolThread[Options.ThreadCount];
        for (int i = 0; i < _threads.Length; i++)
            _threads[i] = new ProtocolThread(this, i, cpus[i % cpus.Length], Options);
    }

    public ProtocolThreadOptions Options { get; }

    /// <summary>Number of protocol threads (<c>netisr_ncpus</c>).</summary>
    public int Count => _threads.Length;

    public ProtocolThread this[int index] => _threads[index];

    public bool IsRunning => Volatile.Read(ref _state) == 1;

    /// <summary>Starts every thread. Idempotent.</summary>
    public ProtocolThreadGroup Start()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) return this;
        foreach (var t in _threads) t.Start();
        return this;
    }

    /// <summary>Stops every thread and waits for them to exit. Messages still queued are not run.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _state, 2) != 1) return;
        foreach (var t in _threads) t.RequestStop();
        foreach (var t in _threads) t.Join();
        // Only now, with every thread gone (none can forward any more), complete whatever is still queued, and make
        // later puts fail their own messages, so no Do/DoAsync caller waits for ever on a stopped group.
        foreach (var t in _threads) t.Port.Close();
    }

    public void Dispose()
    {
        Stop();
        foreach (var t in _threads) t.Buffers.Dispose();
    }

    /// <summary>The thread owning flow hash <paramref name="hash"/> (<c>netisr_hashcpu</c>).</summary>
    public ProtocolThread ThreadForHash(uint hash) => _threads[FlowHash.CpuOf(hash, _threads.Length)];

    /// <summary>The port owning flow hash <paramref name="hash"/> (<c>netisr_hashport</c>).</summary>
    public MessagePort PortForHash(uint hash) => ThreadForHash(hash).Port;

    /// <summary>
    /// Runs a global operation: <paramref name="msg"/> starts on thread 0, each thread's handler does its part
    /// and calls <see cref="ForwardGlobal"/>, and the last thread replies. Blocks until then. Only a non-protocol
    /// thread or thread 0 may start one (the one exception to "protocol threads never wait on each other").
    /// </summary>
    public Errno DoGlobal(NetMsg msg)
    {
        var current = ProtocolThread.Current;
        if (current is not null && (current.Group != this || current.Index != 0))
        {
            Misuse.Report(MisuseKind.CrossProtocolThreadWait, "global operations start on protocol thread 0 or on a non-protocol thread.");
            return Errno.EDEADLK;
        }
        msg.Flags |= MessageFlags.IgnoreHome;
        return _threads[0].Port.Do(msg);
    }

    /// <summary>Asynchronous form of <see cref="DoGlobal"/> for application threads.</summary>
    public System.Threading.Tasks.ValueTask<Errno> DoGlobalAsync(NetMsg msg)
    {
        msg.Flags |= MessageFlags.IgnoreHome;
        return _threads[0].Port.DoAsync(msg);
    }

    /// <summary>
    /// Called by a global operation's handler when its part on the current thread is done: forwards to the
    /// next thread, or replies from the last one. Pass an error to stop the chain early and reply with it.
    /// </summary>
    public static void ForwardGlobal(NetMsg msg, Errno error = Errno.None)
    {
        var current = ProtocolThread.Current;
        if (current is null)
        {
            Misuse.Report(MisuseKind.NotOwnerThread, "ForwardGlobal is called by a handler running on a protocol thread.");
            return;
        }
        int next = current.Index + 1;
        if (error != Errno.None || next >= current.Group.Count)
            msg.Reply(error);
        else
            msg.Forward(current.Group[next].Port);
    }

    /// <summary>
    /// Waits until every thread has handled everything queued to it before the call (DragonFly
    /// <c>netmsg_service_sync</c>): a no-op global message. Used instead of reference counts for teardown.
    /// </summary>
    public Errno Sync()
    {
        var msg = new NetMsg(&SyncHandler);
        return DoGlobal(msg);
    }

    private static void SyncHandler(NetMsg msg) => ForwardGlobal(msg);
}
