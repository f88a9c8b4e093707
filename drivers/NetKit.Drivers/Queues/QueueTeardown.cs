using System;
using NetKit.Drivers.Impairments;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Threading;

namespace NetKit.Drivers.Queues;

/// <summary>
/// Frees what a device's per-thread queues still hold when it goes away. Each queue belongs to its protocol thread
/// (a release callout can only be stopped by its own thread), so while the threads run the work is done there: by one
/// global message 0 → N−1 when the caller may wait, else by a message per thread. After the threads stopped, here.
/// </summary>
internal sealed unsafe class QueueTeardown<TSink> where TSink : struct, IFrameSink
{
    private readonly ReceiveQueue[] _receive;
    private readonly TransmitQueue<TSink>[] _transmit;
    private readonly Action<int, bool>? _alsoPerThread;

    private QueueTeardown(ReceiveQueue[] receive, TransmitQueue<TSink>[] transmit, Action<int, bool>? alsoPerThread)
    {
        _receive = receive;
        _transmit = transmit;
        _alsoPerThread = alsoPerThread;
    }

    /// <summary>
    /// Frees the queues; <paramref name="alsoPerThread"/> (thread index, true when running on that thread) frees what
    /// else a driver keeps per thread. Returns true when everything was freed before returning (the caller could wait).
    /// </summary>
    public static bool Run(ProtocolThreadGroup threads, ReceiveQueue[] receive, TransmitQueue<TSink>[] transmit, Action<int, bool>? alsoPerThread = null)
    {
        if (!threads.IsRunning)
        {
            foreach (var queue in receive) queue.FreeAll();
            foreach (var queue in transmit) queue.FlushStopped();
            if (alsoPerThread is not null)
                for (int i = 0; i < threads.Count; i++) alsoPerThread(i, false);
            return true;
        }
        var teardown = new QueueTeardown<TSink>(receive, transmit, alsoPerThread);
        if (ProtocolThread.Current is null)
        {
            // ESHUTDOWN: the group stopped part way; what the chain did not reach stays (the caller must not close
            // descriptors a thread may still be polling).
            return threads.DoGlobal(new NetMsg(&Global) { Owner = teardown }) == Runtime.Errno.None;
        }
        for (int i = 0; i < threads.Count; i++)
            threads[i].Port.Send(new NetMsg(&Local) { Owner = teardown });
        return false;
    }

    private void OnCurrentThread()
    {
        int index = ProtocolThread.Current!.Index;
        if (index < _receive.Length) _receive[index].FreeAll();
        if (index < _transmit.Length) _transmit[index].Flush();
        _alsoPerThread?.Invoke(index, true);
    }

    private static void Global(NetMsg message)
    {
        ((QueueTeardown<TSink>)message.Owner!).OnCurrentThread();
        ProtocolThreadGroup.ForwardGlobal(message);
    }

    private static void Local(NetMsg message)
    {
        ((QueueTeardown<TSink>)message.Owner!).OnCurrentThread();
        message.Reply();
    }
}
