using System;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Protocols;

namespace NetKit.Runtime.Devices;

/// <summary>
/// A link-layer device (a NIC) as a stack sees it, multi-queue like an RSS NIC: receive queue <i>i</i> is drained on
/// protocol thread <i>i</i> and frames are steered to it by the stack's own flow classification
/// (<see cref="NetStack.SelectThread"/>, the symmetric Toeplitz hash), so a frame arrives on the thread that owns its
/// flow with no further hop. Transmit queue <i>i</i> is used only by protocol thread <i>i</i>.
/// Implementations: the in-memory link (drivers/), TAP and virtio-net later.
/// </summary>
public interface ILinkDevice : IDisposable
{
    /// <summary>Device name for logs and counters ("mem0", "tap0").</summary>
    string Name { get; }

    /// <summary>Largest link payload in bytes (1500 for Ethernet), not counting the link header.</summary>
    int Mtu { get; }

    /// <summary>The device's hardware (MAC) address, 6 bytes.</summary>
    ReadOnlySpan<byte> HardwareAddress { get; }

    /// <summary>Whether the link is up (carrier): a stack sends a gratuitous ARP when it comes up.</summary>
    bool IsUp { get; }

    /// <summary>
    /// Starts delivering received frames to <paramref name="stack"/>: each frame is steered with
    /// <see cref="NetStack.SelectThread"/>, stamped with <paramref name="interfaceIndex"/> and handed to
    /// <see cref="NetStack.InputFrame"/> on its owner thread, in batches.
    /// </summary>
    void Start(NetStack stack, int interfaceIndex);

    /// <summary>
    /// Transmits <paramref name="frame"/> (a complete link frame) from the calling protocol thread's queue. Takes the
    /// buffer over in every case; returns false when the device dropped it (link down, queue full), which it counts.
    /// </summary>
    bool Transmit(PacketBuffer frame);

    /// <summary>Frames received and handed to the stack.</summary>
    long ReceivedFrames { get; }

    /// <summary>Frames dropped on receive (queue full, no stack started).</summary>
    long ReceiveDrops { get; }

    /// <summary>Frames accepted for transmission.</summary>
    long TransmittedFrames { get; }

    /// <summary>Frames dropped on transmit.</summary>
    long TransmitDrops { get; }

    /// <summary>Offloads the device performs; none unless it says so.</summary>
    DeviceOffloads Offloads => DeviceOffloads.None;
}
