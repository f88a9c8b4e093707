using System;

namespace NetKit.Protocols.IPv4.Fragmentation;

/// <summary>
/// What identifies the fragments of one datagram (RFC 791 §3.2: source, destination, protocol and
/// identification). Addresses are host-order values, as the caller parsed them.
/// </summary>
public readonly struct FragmentKey : IEquatable<FragmentKey>
{
    public FragmentKey(uint source, uint destination, byte protocol, ushort identification)
    {
        Source = source;
        Destination = destination;
        Protocol = protocol;
        Identification = identification;
    }

    public uint Source { get; }

    public uint Destination { get; }

    public byte Protocol { get; }

    public ushort Identification { get; }

    public bool Equals(FragmentKey other) =>
        Source == other.Source && Destination == other.Destination &&
        Protocol == other.Protocol && Identification == other.Identification;

    public override bool Equals(object? obj) => obj is FragmentKey other && Equals(other);

    // HashCode is seeded per process, so a sender cannot aim fragments at one bucket.
    public override int GetHashCode() => HashCode.Combine(Source, Destination, Identification | (Protocol << 16));

    public static bool operator ==(FragmentKey left, FragmentKey right) => left.Equals(right);

    public static bool operator !=(FragmentKey left, FragmentKey right) => !left.Equals(right);

    public override string ToString() =>
        $"{Format(Source)} > {Format(Destination)} proto {Protocol} id {Identification}";

    private static string Format(uint a) => $"{a >> 24}.{(a >> 16) & 0xFF}.{(a >> 8) & 0xFF}.{a & 0xFF}";
}
