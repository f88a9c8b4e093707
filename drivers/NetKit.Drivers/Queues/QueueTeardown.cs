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

    private QueueTeardown(ReceiveQueue[] receive, TransmitQueue<TSink>[] transmit)
    {
        _receive = receive;
        _transmit = transmit;
    }

    public static void Run(ProtocolThreadGroup threads, ReceiveQueue[] receive, TransmitQueue<TSink>[] transmit)
    {
        if (!threads.IsRunning)
        {
            foreach (var queue in receive) queue.FreeAll();
            foreach (var queue in transmit) queue.FlushStopped();
            return;
        }
        var teardown = new QueueTeardown<TSink>(receive, transmit);
        if (ProtocolThread.Current is null)
        {
            threads.DoGlobal(new NetMsg(&Global) { Owner = teardown });
            return;
        }
        for (int i = 0; i < threads.Count; i++)
            threads[i].Port.Send(new NetMsg(&Local) { Owner = teardown });
    }

    private void OnCurrentThread()
    {
        int index = ProtocolThread.Current!.Index;
        if (index < _receive.Length) _receive[index].FreeAll();
        if (index < _transmit.Length) _transmit[index].Flush();
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
