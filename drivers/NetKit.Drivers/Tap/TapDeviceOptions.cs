using System;
using System.Linq;
using NetKit.Drivers.Impairments;

namespace NetKit.Drivers.Tap;

/// <summary>How a <see cref="TapDevice"/> is created.</summary>
public sealed class TapDeviceOptions
{
    /// <summary>The kernel interface name (at most 15 bytes, IFNAMSIZ − 1). Created if it does not exist.</summary>
    public string Name { get; init; } = "netkit0";

    /// <summary>The stack's own MAC address (6 bytes); null picks a random locally administered unicast one.</summary>
    public byte[]? HardwareAddress { get; init; }

    /// <summary>Link MTU, applied to the kernel side too (SIOCSIFMTU).</summary>
    public int Mtu { get; init; } = 1500;

    /// <summary>
    /// Ask for the virtio-net header and checksum / TSO offloads (probed: whatever the kernel refuses is left off and
    /// the stack computes checksums and segments itself). False runs with plain Ethernet frames and no offloads.
    /// </summary>
    public bool Offloads { get; init; } = true;

    /// <summary>Impairments applied to frames read from the kernel, before the stack sees them.</summary>
    public ImpairmentOptions ReceiveImpairments { get; init; } = ImpairmentOptions.None;

    /// <summary>Impairments applied to frames the stack transmits, before they are written to the kernel.</summary>
    public ImpairmentOptions TransmitImpairments { get; init; } = ImpairmentOptions.None;

    /// <summary>Frames each protocol thread's receive ring holds before further frames are dropped (and counted).</summary>
    public int ReceiveQueueCapacity { get; init; } = 4096;

    /// <summary>Frames a protocol thread takes from its receive ring per turn.</summary>
    public int ReceiveBatch { get; init; } = 64;

    /// <summary>Who reads the queues: the protocol threads themselves (default) or a reader thread per queue.</summary>
    public TapReceiveMode ReceiveMode { get; init; } = TapReceiveMode.ProtocolThread;

    /// <summary>Bring the kernel side of the interface up after creating it (IFF_UP).</summary>
    public bool SetKernelSideUp { get; init; } = true;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Name);
        // Linux dev_valid_name: 1 to IFNAMSIZ-1 bytes, not "." or "..", no '/', ':' or white space. A '%d' template is
        // resolved by the kernel (TapDevice.Name then holds the name it picked).
        if (Name.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(Name) > 15 || Name is "." or ".."
            || Name.AsSpan().IndexOfAny('/', ':') >= 0 || Name.Any(char.IsWhiteSpace))
            throw new ArgumentException($"'{Name}' is not a valid interface name (1 to 15 bytes, not . or .., no '/', ':' or white space).", nameof(Name));
        if (HardwareAddress is { Length: not 6 })
            throw new ArgumentException("a MAC address has 6 bytes.", nameof(HardwareAddress));
        if (HardwareAddress is { } mac && (mac[0] & 1) != 0)
            throw new ArgumentException("the MAC address is a multicast address.", nameof(HardwareAddress));
        if (Mtu is < 576 or > 65535) throw new ArgumentOutOfRangeException(nameof(Mtu), Mtu, "MTU must be in [576, 65535].");
        ArgumentOutOfRangeException.ThrowIfLessThan(ReceiveQueueCapacity, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(ReceiveBatch, 1);
        ReceiveImpairments.Validate();
        TransmitImpairments.Validate();
    }
}
