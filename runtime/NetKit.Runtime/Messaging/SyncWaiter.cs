using System;
using System.Threading;

namespace NetKit.Runtime.Messaging;

/// <summary>
/// One per thread that calls <see cref="MessagePort.Do"/>: spins briefly, then parks until the reply.
/// The park/wake handshake is DragonFly's WAIT/WAKEUP flag pair: the waiter publishes <c>parked</c> and
/// re-checks the message before sleeping, the replier publishes Done and then claims <c>parked</c>, so one of
/// them always sees the other (no lost wake-up).
/// </summary>
internal sealed class SyncWaiter
{
    [ThreadStatic] private static SyncWaiter? t_current;

    private readonly ManualResetEventSlim _event = new(false, spinCount: 0);
    private int _parked;

    internal static SyncWaiter Current => t_current ??= new SyncWaiter();

    internal void Wake()
    {
        if (Volatile.Read(ref _parked) != 0 && Interlocked.Exchange(ref _parked, 0) == 1)
            _event.Set();
    }

    internal void WaitUntilDone(NetMsg msg, int spinIterations)
    {
        var spinner = new SpinWait();
        for (int i = 0; i < spinIterations; i++)
        {
            if (msg.IsDone) return;
            spinner.SpinOnce(sleep1Threshold: -1);
        }
        while (!msg.IsDone)
        {
            _event.Reset();
            Interlocked.Exchange(ref _parked, 1);
            if (msg.IsDone)
            {
                Interlocked.Exchange(ref _parked, 0);
                return;
            }
            _event.Wait();
            Interlocked.Exchange(ref _parked, 0);
        }
    }
}
