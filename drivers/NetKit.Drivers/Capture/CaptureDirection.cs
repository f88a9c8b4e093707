using System;

namespace NetKit.Drivers.Capture;

/// <summary>Which path of an interface a captured frame was on.</summary>
[Flags]
public enum CaptureDirection
{
    None = 0,
    /// <summary>Received: seen on the owner thread just before the stack's input.</summary>
    Receive = 1,
    /// <summary>Transmitted: seen as it goes on the wire, after impairments (as tcpdump sees egress after a qdisc).</summary>
    Transmit = 2,
    Both = Receive | Transmit,
}
