using System;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;

namespace NetKit.Runtime.SocketBuffers;

/// <summary>
/// Wake-up for one side of a ring: at most one waiter (the ring is single-producer, single-consumer), which
/// may wait synchronously or asynchronously. The handshake is DragonFly's <c>ssb_wait</c>/<c>sowakeup</c>
/// WAIT/WAKEUP pair done with one flag: the waiter publishes <c>waiting</c> (full fence) and re-checks its
/// condition; the other side publishes its index, fences, and claims <c>waiting</c> only when the condition holds.
/// Whoever claims the flag completes the wait, so it completes exactly once and no wake-up is lost.
/// </summary>
internal sealed class RingSignal : IValueTaskSource<bool>
{
    private const int Idle = 0, WaitingSync = 1, WaitingAsync = 2;

    private int _waiting;
    private long _threshold;
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private readonly ManualResetEventSlim _event = new(false, spinCount: 0);
    private CancellationTokenRegistration _cancellation;

    /// <summary>How many bytes the waiter needs (read by the signalling side).</summary>
    internal long Threshold => Volatile.Read(ref _threshold);

    internal bool HasWaiter => Volatile.Read(ref _waiting) != Idle;

    /// <summary>Signalling side: completes the waiter if <paramref name="available"/> meets its threshold or <paramref name="force"/>.</summary>
    internal void Signal(long available, bool force)
    {
        int state = Volatile.Read(ref _waiting);
        if (state == Idle) return;
        if (!force && available < Volatile.Read(ref _threshold)) return;
        state = Interlocked.Exchange(ref _waiting, Idle);
        if (state == WaitingAsync) _core.SetResult(true);
        else if (state == WaitingSync) _event.Set();
    }

    /// <summary>Synchronous wait. <paramref name="condition"/> is re-checked after publishing the wait.</summary>
    internal bool Wait<TState>(long threshold, TState state, Func<TState, bool> condition, int timeoutMs, CancellationToken token)
    {
        while (true)
        {
            if (condition(state)) return true;
            token.ThrowIfCancellationRequested();
            _event.Reset();
            Volatile.Write(ref _threshold, threshold);
            Interlocked.Exchange(ref _waiting, WaitingSync);
            if (condition(state))
            {
                // Withdraw; if the other side already claimed it, its Set is harmless (we Reset next time).
                Interlocked.Exchange(ref _waiting, Idle);
                return true;
            }
            bool signalled;
            try
            {
                signalled = _event.Wait(timeoutMs, token);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Exchange(ref _waiting, Idle);
                throw;
            }
            if (!signalled)
            {
                Interlocked.Exchange(ref _waiting, Idle);
                return condition(state);
            }
        }
    }

    /// <summary>
    /// Asynchronous wait: returns a completed task when <paramref name="condition"/> already holds, otherwise a task
    /// that completes (allocation-free) when signalled. The caller loops until its condition holds.
    /// </summary>
    internal ValueTask<bool> WaitAsync<TState>(long threshold, TState state, Func<TState, bool> condition, CancellationToken token)
    {
        if (condition(state)) return new ValueTask<bool>(true);
        if (token.IsCancellationRequested) return ValueTask.FromCanceled<bool>(token);
        _core.Reset();
        Volatile.Write(ref _threshold, threshold);
        Interlocked.Exchange(ref _waiting, WaitingAsync);
        if (condition(state))
        {
            if (Interlocked.Exchange(ref _waiting, Idle) == WaitingAsync) return new ValueTask<bool>(true);
            // The other side claimed it and will complete the core: fall through and await that.
        }
        else if (token.CanBeCanceled)
        {
            _cancellation = token.UnsafeRegister(static (s, t) => ((RingSignal)s!).Cancel(t), this);
        }
        return new ValueTask<bool>(this, _core.Version);
    }

    private void Cancel(CancellationToken token)
    {
        if (Interlocked.CompareExchange(ref _waiting, Idle, WaitingAsync) == WaitingAsync)
            _core.SetException(new OperationCanceledException(token));
    }

    bool IValueTaskSource<bool>.GetResult(short token)
    {
        var registration = _cancellation;
        _cancellation = default;
        registration.Dispose();
        return _core.GetResult(token);
    }

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);
}
