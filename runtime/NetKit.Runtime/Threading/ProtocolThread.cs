using System;
using System.Threading;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.Interop;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Timers;

namespace NetKit.Runtime.Threading;

/// <summary>
/// One protocol thread ("netisr N"): it alone drains its <see cref="Port"/>, drives its <see cref="Callouts"/>
/// and rents from its <see cref="Buffers"/> fast path. The loop follows DragonFly's
/// <c>netmsg_service_loop</c>: up to <see cref="ProtocolThreadOptions.BatchSize"/> messages, chasing any whose
/// owner's home port moved, then the rollup hooks, then due callouts; when idle it spins briefly and parks.
/// </summary>
public sealed unsafe class ProtocolThread
{
    [ThreadStatic] private static ProtocolThread? t_current;

    private readonly ProtocolThreadOptions _options;
    private readonly Action _wake;
    private RollupHook[] _rollups = [];
    private IPollSource[] _pollSources = [];
    private readonly Lock _pollGate = new();
    private Thread? _thread;
    private volatile bool _stopRequested;
    private NetMsg? _dispatching;
    private int _dispatchingGeneration;
    private long _messages, _batches, _chased, _parks, _handlerExceptions;

    internal ProtocolThread(ProtocolThreadGroup group, int index, int cpu, ProtocolThreadOptions options)
    {
        Group = group;
        Index = index;
        Cpu = cpu;
        _options = options;
        Port = new MessagePort(this, options.SpinIterations);
        Callouts = new CalloutWheel(options.Clock, options.CalloutTick, options.CalloutSlots, this);
        Buffers = new PacketBufferPool(options.Buffers, this);
        _wake = Port.Parker.Wake;
    }

    /// <summary>The protocol thread the caller runs on, or null on any other thread.</summary>
    public static ProtocolThread? Current => t_current;

    public ProtocolThreadGroup Group { get; }

    /// <summary>Index in the group (0 starts global operations).</summary>
    public int Index { get; }

    /// <summary>The CPU this thread is meant to run on (it is pinned there when pinning is on and allowed).</summary>
    public int Cpu { get; }

    /// <summary>True between the group's start and stop: messages sent now will be handled.</summary>
    public bool IsRunning => _thread is not null && !_stopRequested;

    /// <summary>True once <c>sched_setaffinity</c> succeeded for this thread.</summary>
    public bool IsPinned { get; private set; }

    /// <summary>Errno of a failed pin (0 when pinned or pinning is off).</summary>
    public int PinError { get; private set; }

    public MessagePort Port { get; }

    public CalloutWheel Callouts { get; }

    public PacketBufferPool Buffers { get; }

    /// <summary>Messages dispatched (including chased ones).</summary>
    public long MessagesProcessed => Volatile.Read(ref _messages);

    /// <summary>Batches completed (each followed by the rollup hooks).</summary>
    public long Batches => Volatile.Read(ref _batches);

    /// <summary>Messages forwarded because their owner's home port had moved.</summary>
    public long Chased => Volatile.Read(ref _chased);

    /// <summary>Times the thread parked for lack of work.</summary>
    public long Parks => Volatile.Read(ref _parks);

    /// <summary>Times a sender had to wake this thread from its park.</summary>
    public long Wakeups => Port.Parker.Wakeups;

    /// <summary>Handler exceptions caught and counted.</summary>
    public long HandlerExceptions => Volatile.Read(ref _handlerExceptions);

    /// <summary>The last exception a handler threw (for diagnostics).</summary>
    public Exception? LastHandlerException { get; private set; }

    /// <summary>
    /// Registers a hook to run after each batch, in priority order. Call before the group starts or from this
    /// thread itself (the hook list is owned by the thread).
    /// </summary>
    public void AddRollup(RollupHook hook)
    {
        if (_thread is not null && Current != this)
        {
            Misuse.Report(MisuseKind.NotOwnerThread, $"rollup hooks of protocol thread {Index} are registered before start or on the thread itself.");
            return;
        }
        var hooks = new RollupHook[_rollups.Length + 1];
        _rollups.CopyTo(hooks, 0);
        hooks[^1] = hook;
        // Stable: equal priorities keep registration order.
        var sorted = hooks.AsSpan();
        for (int i = 1; i < sorted.Length; i++)
        {
            var item = sorted[i];
            int j = i - 1;
            while (j >= 0 && sorted[j].Priority < item.Priority) { sorted[j + 1] = sorted[j]; j--; }
            sorted[j + 1] = item;
        }
        _rollups = hooks;
    }

    /// <summary>
    /// Adds a source this thread polls on every pass of its loop and sleeps on when idle (any thread, any time: the
    /// list is copy-on-write and the thread is woken to pick it up).
    /// </summary>
    public void AddPollSource(IPollSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        lock (_pollGate) // one lock over both lists, so a remove racing an add cannot leave a descriptor behind
        {
            Volatile.Write(ref _pollSources, CopyOnWrite.Add(_pollSources, source));
            Port.Parker.AddDescriptor(source.Descriptor);
        }
    }

    /// <summary>
    /// Removes a poll source (any thread). The thread may still be inside its <see cref="IPollSource.Poll"/> or asleep on
    /// its descriptor until it next goes round its loop: run a message on the thread (or stop it) before closing the
    /// descriptor.
    /// </summary>
    public void RemovePollSource(IPollSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        lock (_pollGate)
        {
            var sources = CopyOnWrite.Remove(_pollSources, source);
            if (ReferenceEquals(sources, _pollSources)) return; // not registered (or removed already)
            Volatile.Write(ref _pollSources, sources);
            Port.Parker.RemoveDescriptor(source.Descriptor);
        }
    }

    internal void Start()
    {
        _thread = new Thread(Run, maxStackSize: 0)
        {
            IsBackground = true,
            Name = $"{_options.NamePrefix} {Index}",
        };
        _thread.Start();
    }

    internal void RequestStop()
    {
        _stopRequested = true;
        Port.Parker.Wake();
    }

    internal void Join() => _thread?.Join();

    private void Run()
    {
        t_current = this;
        Buffers.BindToCurrentThread();
        if (_options.PinThreads)
        {
            PinError = LinuxScheduling.PinCurrentThread(Cpu);
            IsPinned = PinError == 0;
        }
        var clock = _options.Clock;
        clock.Subscribe(_wake);
        try
        {
            while (!_stopRequested)
            {
                try
                {
                    Loop();
                }
                catch (Exception ex)
                {
                    OnHandlerException(ex);
                }
            }
        }
        finally
        {
            clock.Unsubscribe(_wake);
            t_current = null;
        }
    }

    private void Loop()
    {
        var port = Port;
        int batchSize = _options.BatchSize;
        int idleSpins = 0;
        int timerCheck = 0;
        while (!_stopRequested)
        {
            int handled = 0;
            while (handled < batchSize && !_stopRequested)
            {
                var msg = port.TryTake();
                if (msg is null) break;
                handled++;
                Dispatch(msg);
            }
            var sources = _pollSources;
            int polled = 0;
            for (int i = 0; i < sources.Length; i++) polled += sources[i].Poll(batchSize);
            if (handled > 0 || polled > 0)
            {
                _messages += handled;
                _batches++;
                var rollups = _rollups;
                for (int i = 0; i < rollups.Length; i++) rollups[i].Run(this);
                idleSpins = 0;
            }
            // Reading the clock costs tens of nanoseconds: under load look at the wheel every 8th batch (well under a
            // 1 ms tick), and on every pass when idle.
            if (handled < batchSize || (++timerCheck & 7) == 0) Callouts.RunDue();
            if (handled == 0 && polled == 0 && !port.HasWork)
            {
                if (idleSpins < _options.SpinIterations)
                {
                    idleSpins++;
                    Thread.SpinWait(8);
                }
                else
                {
                    Park();
                    idleSpins = 0;
                }
            }
        }
    }

    private void Dispatch(NetMsg msg)
    {
        var home = msg.Home;
        if (home is not null && (msg.Flags & MessageFlags.IgnoreHome) == 0)
        {
            var homePort = home.Port;
            if (homePort != Port)
            {
                // The socket moved (connect/bind migration): chase it. Its new home is already queued behind the
                // migrating message, which the put-receipt guaranteed.
                _chased++;
                Volatile.Write(ref msg.StateValue, (int)MessageState.Queued);
                homePort.Put(msg);
                return;
            }
        }
        _dispatching = msg;
        _dispatchingGeneration = msg.Generation;
        msg.Handler(msg);
        _dispatching = null;
    }

    private void Park()
    {
        long waitNs = _options.Clock.IsVirtual ? long.MaxValue : Callouts.NanosecondsUntilNextDue();
        if (waitNs <= 0) return;
        int timeoutMs = waitNs == long.MaxValue ? Timeout.Infinite : (int)Math.Clamp((waitNs + 999_999) / 1_000_000, 1, int.MaxValue);
        _parks++;
        Port.Parker.Park(timeoutMs, this, static t => t._stopRequested || t.Port.HasWork || t.Callouts.NanosecondsUntilNextDue() == 0);
    }

    private void OnHandlerException(Exception ex)
    {
        _handlerExceptions++;
        LastHandlerException = ex;
        Misuse.CountOnly(MisuseKind.HandlerException);
        var msg = _dispatching;
        _dispatching = null;
        // Only if the handler still owns it: not replied, not forwarded, not already resent by its caller.
        if (msg is null || msg.Generation != _dispatchingGeneration || Volatile.Read(ref msg.StateValue) != (int)MessageState.Running)
            return;
        // The handler neither replied nor forwarded: complete it so no caller waits forever.
        msg.Abandon(Errno.EIO);
    }
}
