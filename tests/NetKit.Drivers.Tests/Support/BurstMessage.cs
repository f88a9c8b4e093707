using NetKit.Drivers.Memory;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Threading;

namespace NetKit.Drivers.Tests.Support;

/// <summary>
/// Runs on a sender's protocol thread: rents frames from that thread's pool and transmits them on its queue, as a
/// protocol's output would. Reusable once done.
/// </summary>
internal sealed unsafe class BurstMessage : NetMsg
{
    public BurstMessage() : base(&Run) { }

    public MemoryInterface Device = null!;
    public byte[] Destination = null!;
    public byte[] Source = null!;
    public uint SourceIp, DestinationIp;
    public ushort FirstPort = 1000;
    public int Flows = 1;
    public int Count;
    public uint FirstSequence;
    public int Length = 64;

    public int Sent, Refused, RentFailures;

    private static void Run(NetMsg msg)
    {
        var burst = (BurstMessage)msg;
        var pool = ProtocolThread.Current!.Buffers;
        burst.Sent = burst.Refused = burst.RentFailures = 0;
        for (int k = 0; k < burst.Count; k++)
        {
            var frame = Frames.TryUdp(pool, burst.Destination, burst.Source, burst.SourceIp, burst.DestinationIp,
                (ushort)(burst.FirstPort + k % burst.Flows), 53, burst.FirstSequence + (uint)k, burst.Length);
            if (frame is null) burst.RentFailures++;
            else if (burst.Device.Transmit(frame)) burst.Sent++;
            else burst.Refused++;
        }
        msg.Reply();
    }
}
