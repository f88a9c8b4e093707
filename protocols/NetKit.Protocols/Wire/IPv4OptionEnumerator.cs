using System;

namespace NetKit.Protocols.Wire;

/// <summary>
/// Walks an IPv4 options area (the header bytes past the first 20). Each multi-octet option's length octet counts
/// its type and length octets (RFC 791 §3.1), so an option is skipped by that length. The walk ends at end-of-list,
/// at the end of the area, or at the first option whose length is below 2 or runs past the area: it never reads
/// outside the span it was given. <see cref="Validate"/> reports that last case as <see cref="WireError.BadOptions"/>.
/// </summary>
public ref struct IPv4OptionEnumerator
{
    private readonly ReadOnlySpan<byte> _options;
    private int _next;
    private IPv4Option _current;

    public IPv4OptionEnumerator(ReadOnlySpan<byte> options)
    {
        _options = options;
        _next = 0;
        _current = default;
    }

    public readonly IPv4Option Current => _current;

    public readonly IPv4OptionEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (Next(_options, _next, out int length) != WireError.None || length == 0)
        {
            _next = _options.Length;
            return false;
        }
        byte type = _options[_next];
        _current = length == 1 ? new IPv4Option(type, default) : new IPv4Option(type, _options.Slice(_next + 2, length - 2));
        // End-of-list is reported, then ends the walk.
        _next = type == IPv4Option.EndOfList ? _options.Length : _next + length;
        return true;
    }

    /// <summary>Whether every option in <paramref name="options"/> lies inside it.</summary>
    public static WireError Validate(ReadOnlySpan<byte> options)
    {
        int at = 0;
        while (true)
        {
            WireError error = Next(options, at, out int length);
            if (error != WireError.None) return error;
            if (length == 0 || options[at] == IPv4Option.EndOfList) return WireError.None;
            at += length;
        }
    }

    // The length of the option at `at`: 0 past the end, 1 for end-of-list and no-operation, else its length octet
    // once that octet and the whole option are known to lie inside the area.
    private static WireError Next(ReadOnlySpan<byte> options, int at, out int length)
    {
        length = 0;
        if (at >= options.Length) return WireError.None;
        byte type = options[at];
        if (type is IPv4Option.EndOfList or IPv4Option.NoOperation)
        {
            length = 1;
            return WireError.None;
        }
        if (options.Length - at < 2) return WireError.BadOptions;
        int declared = options[at + 1];
        if (declared < 2 || declared > options.Length - at) return WireError.BadOptions;
        length = declared;
        return WireError.None;
    }
}
