using System;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NetKit.Protocols.Wire;

/// <summary>
/// An IPv4 address as a host-order <see cref="uint"/>: 0x0A000001 is 10.0.0.1. Host order makes prefix masks and
/// comparisons plain integer operations; the big-endian conversion happens only in <see cref="Read"/> and
/// <see cref="WriteTo"/>.
/// </summary>
public readonly struct IPv4Address : IEquatable<IPv4Address>, IComparable<IPv4Address>, ISpanFormattable
{
    /// <summary>Bytes in an address.</summary>
    public const int Length = 4;

    // "255.255.255.255"
    private const int MaxFormattedLength = 15;

    public IPv4Address(uint value) => Value = value;

    public IPv4Address(byte a, byte b, byte c, byte d) => Value = (uint)(a << 24 | b << 16 | c << 8 | d);

    /// <summary>The address, host order (first dotted-quad part in the most significant byte).</summary>
    public uint Value { get; }

    /// <summary>0.0.0.0.</summary>
    public static IPv4Address Unspecified => default;

    /// <summary>255.255.255.255, the limited broadcast address (RFC 919 §7).</summary>
    public static IPv4Address Broadcast => new(0xFFFF_FFFF);

    /// <summary>127.0.0.1.</summary>
    public static IPv4Address Loopback => new(0x7F00_0001);

    /// <summary>The limited broadcast 255.255.255.255 (a subnet's directed broadcast needs its prefix; see <see cref="InSubnet"/>).</summary>
    public bool IsBroadcast => Value == 0xFFFF_FFFF;

    /// <summary>224.0.0.0/4, class D (RFC 1112 §4).</summary>
    public bool IsMulticast => (Value & 0xF000_0000) == 0xE000_0000;

    /// <summary>127.0.0.0/8 (RFC 1122 §3.2.1.3(g)).</summary>
    public bool IsLoopback => (Value & 0xFF00_0000) == 0x7F00_0000;

    /// <summary>0.0.0.0, "this host" as a source only (RFC 1122 §3.2.1.3(a)).</summary>
    public bool IsUnspecified => Value == 0;

    /// <summary>Whether the first <paramref name="prefixLength"/> bits equal those of <paramref name="network"/>.</summary>
    public bool InSubnet(IPv4Address network, int prefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, 32);
        // A shift by 32 is a shift by 0 in C#, so the empty prefix is special-cased.
        uint mask = prefixLength == 0 ? 0 : uint.MaxValue << (32 - prefixLength);
        return (Value & mask) == (network.Value & mask);
    }

    /// <summary>Reads the first four bytes of <paramref name="source"/> (network order).</summary>
    public static IPv4Address Read(ReadOnlySpan<byte> source) => new(BinaryPrimitives.ReadUInt32BigEndian(source));

    /// <summary>Writes the address to the start of <paramref name="destination"/> in network order.</summary>
    public void WriteTo(Span<byte> destination) => BinaryPrimitives.WriteUInt32BigEndian(destination, Value);

    /// <summary>
    /// Parses a strict dotted quad: four decimal parts 0-255. A leading zero ("010") is rejected because
    /// <c>inet_aton</c> would read it as octal; rejecting it keeps one meaning per string (as <c>inet_pton</c> does).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out IPv4Address address)
    {
        address = default;
        uint value = 0;
        int pos = 0;
        for (int part = 0; part < 4; part++)
        {
            if (part > 0)
            {
                if (pos >= text.Length || text[pos] != '.') return false;
                pos++;
            }
            int start = pos, number = 0;
            while (pos < text.Length && pos - start < 3 && char.IsAsciiDigit(text[pos]))
            {
                number = number * 10 + (text[pos] - '0');
                pos++;
            }
            int digits = pos - start;
            if (digits == 0 || number > 255 || (digits > 1 && text[start] == '0')) return false;
            value = value << 8 | (uint)number;
        }
        if (pos != text.Length) return false;
        address = new IPv4Address(value);
        return true;
    }

    public static bool TryParse([NotNullWhen(true)] string? text, out IPv4Address address)
    {
        if (text is null)
        {
            address = default;
            return false;
        }
        return TryParse(text.AsSpan(), out address);
    }

    public static IPv4Address Parse(ReadOnlySpan<char> text)
        => TryParse(text, out IPv4Address address) ? address : throw new FormatException($"'{text}' is not a dotted-quad IPv4 address.");

    public static IPv4Address Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parse(text.AsSpan());
    }

    public bool TryFormat(Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;
        for (int part = 0; part < 4; part++)
        {
            if (part > 0)
            {
                if (charsWritten >= destination.Length) return false;
                destination[charsWritten++] = '.';
            }
            uint number = (Value >> (24 - 8 * part)) & 0xFF;
            if (!number.TryFormat(destination[charsWritten..], out int written, default, CultureInfo.InvariantCulture)) return false;
            charsWritten += written;
        }
        return true;
    }

    bool ISpanFormattable.TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
        => TryFormat(destination, out charsWritten);

    string IFormattable.ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <summary>Dotted quad, "10.0.0.1".</summary>
    public override string ToString()
    {
        Span<char> chars = stackalloc char[MaxFormattedLength];
        TryFormat(chars, out int written);
        return new string(chars[..written]);
    }

    public bool Equals(IPv4Address other) => Value == other.Value;

    public override bool Equals(object? obj) => obj is IPv4Address other && Equals(other);

    public override int GetHashCode() => Value.GetHashCode();

    public int CompareTo(IPv4Address other) => Value.CompareTo(other.Value);

    public static bool operator ==(IPv4Address left, IPv4Address right) => left.Value == right.Value;

    public static bool operator !=(IPv4Address left, IPv4Address right) => left.Value != right.Value;

    public static bool operator <(IPv4Address left, IPv4Address right) => left.Value < right.Value;

    public static bool operator >(IPv4Address left, IPv4Address right) => left.Value > right.Value;

    public static bool operator <=(IPv4Address left, IPv4Address right) => left.Value <= right.Value;

    public static bool operator >=(IPv4Address left, IPv4Address right) => left.Value >= right.Value;
}
