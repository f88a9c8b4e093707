using System;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace NetKit.Protocols.Wire;

/// <summary>
/// A 48-bit IEEE 802 MAC address, held as the six bytes in wire order in the low 48 bits of a <see cref="ulong"/>
/// (the first byte on the wire is the most significant), so equality and copying are one integer operation.
/// </summary>
public readonly struct MacAddress : IEquatable<MacAddress>, ISpanFormattable
{
    /// <summary>Bytes in an address.</summary>
    public const int Length = 6;

    // "aa:bb:cc:dd:ee:ff"
    private const int FormattedLength = 17;
    private const ulong Mask = 0xFFFF_FFFF_FFFFUL;

    private readonly ulong _value;

    private MacAddress(ulong value) => _value = value & Mask;

    public MacAddress(byte b0, byte b1, byte b2, byte b3, byte b4, byte b5)
        : this((ulong)b0 << 40 | (ulong)b1 << 32 | (ulong)b2 << 24 | (ulong)b3 << 16 | (ulong)b4 << 8 | b5) { }

    /// <summary>ff:ff:ff:ff:ff:ff.</summary>
    public static MacAddress Broadcast { get; } = new(Mask);

    /// <summary>00:00:00:00:00:00 (ARP requests leave the target hardware address zero, RFC 826).</summary>
    public static MacAddress Zero => default;

    /// <summary>All six bytes set.</summary>
    public bool IsBroadcast => _value == Mask;

    /// <summary>The I/G bit — the least significant bit of the first byte — marks a group address (IEEE 802, clause 8.2). Broadcast is a group address too.</summary>
    public bool IsMulticast => (_value & 0x0100_0000_0000UL) != 0;

    /// <summary>An individual (not group) address.</summary>
    public bool IsUnicast => !IsMulticast;

    /// <summary>The U/L bit: set for locally administered addresses (the kind a user-space stack makes up).</summary>
    public bool IsLocallyAdministered => (_value & 0x0200_0000_0000UL) != 0;

    /// <summary>The address from the low 48 bits of <paramref name="value"/> (first wire byte most significant).</summary>
    public static MacAddress FromUInt64(ulong value) => new(value);

    /// <summary>The address as an integer, first wire byte most significant.</summary>
    public ulong ToUInt64() => _value;

    /// <summary>Reads the first six bytes of <paramref name="source"/>.</summary>
    public static MacAddress Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Length) throw new ArgumentException("A MAC address is 6 bytes.", nameof(source));
        return new((ulong)BinaryPrimitives.ReadUInt16BigEndian(source) << 32 | BinaryPrimitives.ReadUInt32BigEndian(source[2..]));
    }

    /// <summary>Writes the six bytes to the start of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Length) throw new ArgumentException("A MAC address is 6 bytes.", nameof(destination));
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(_value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)_value);
    }

    /// <summary>Parses "aa:bb:cc:dd:ee:ff" (either case; '-' also accepted as the separator, used consistently).</summary>
    public static MacAddress Parse(ReadOnlySpan<char> text)
        => TryParse(text, out MacAddress address) ? address : throw new FormatException($"'{text}' is not a MAC address.");

    public static MacAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parse(text.AsSpan());
    }

    public static bool TryParse([NotNullWhen(true)] string? text, out MacAddress address)
    {
        if (text is null)
        {
            address = default;
            return false;
        }
        return TryParse(text.AsSpan(), out address);
    }

    public static bool TryParse(ReadOnlySpan<char> text, out MacAddress address)
    {
        address = default;
        if (text.Length != FormattedLength) return false;
        char separator = text[2];
        if (separator != ':' && separator != '-') return false;
        ulong value = 0;
        for (int i = 0; i < Length; i++)
        {
            int at = i * 3;
            if (i > 0 && text[at - 1] != separator) return false;
            int high = HexValue(text[at]), low = HexValue(text[at + 1]);
            if ((high | low) < 0) return false;
            value = value << 8 | (uint)(high << 4 | low);
        }
        address = new MacAddress(value);
        return true;
    }

    public bool TryFormat(Span<char> destination, out int charsWritten)
    {
        if (destination.Length < FormattedLength)
        {
            charsWritten = 0;
            return false;
        }
        for (int i = 0; i < Length; i++)
        {
            int b = (int)(_value >> (40 - 8 * i)) & 0xFF;
            int at = i * 3;
            if (i > 0) destination[at - 1] = ':';
            destination[at] = HexDigit(b >> 4);
            destination[at + 1] = HexDigit(b & 0xF);
        }
        charsWritten = FormattedLength;
        return true;
    }

    bool ISpanFormattable.TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
        => TryFormat(destination, out charsWritten);

    string IFormattable.ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <summary>Lower-case colon form, "02:00:00:00:00:01".</summary>
    public override string ToString() => string.Create(FormattedLength, _value, static (chars, value) => new MacAddress(value).TryFormat(chars, out _));

    public bool Equals(MacAddress other) => _value == other._value;

    public override bool Equals(object? obj) => obj is MacAddress other && Equals(other);

    public override int GetHashCode() => _value.GetHashCode();

    public static bool operator ==(MacAddress left, MacAddress right) => left._value == right._value;

    public static bool operator !=(MacAddress left, MacAddress right) => left._value != right._value;

    private static char HexDigit(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
