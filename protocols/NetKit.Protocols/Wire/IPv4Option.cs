using System;

namespace NetKit.Protocols.Wire;

/// <summary>
/// One IPv4 option (RFC 791 §3.1, "Options"): the type octet and the option's data — the octets after the type and
/// length octets. End-of-list and no-operation are single octets with empty data.
/// </summary>
public readonly ref struct IPv4Option
{
    /// <summary>End of option list: the rest of the options area is padding.</summary>
    public const byte EndOfList = 0;

    /// <summary>No operation, used to align the next option.</summary>
    public const byte NoOperation = 1;

    public IPv4Option(byte type, ReadOnlySpan<byte> data)
    {
        Type = type;
        Data = data;
    }

    /// <summary>The option-type octet: copied flag, class and number.</summary>
    public byte Type { get; }

    /// <summary>The copied flag: whether fragments carry the option (RFC 791 §3.1).</summary>
    public bool IsCopied => (Type & 0x80) != 0;

    /// <summary>The option's data, without its type and length octets.</summary>
    public ReadOnlySpan<byte> Data { get; }

    public override string ToString() => $"IPv4 option type={Type} len={Data.Length}";
}
