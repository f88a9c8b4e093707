using System;
using System.Runtime.CompilerServices;

namespace NetKit.Runtime.Hashing;

/// <summary>
/// The Toeplitz hash used for receive-side scaling, with per-byte lookup tables (DragonFly
/// <c>sys/net/toeplitz.c</c>: <c>toeplitz_cache</c>). For input byte i with value b the table holds the XOR of the
/// 32-bit key windows starting at each set bit of b, so hashing n bytes is n lookups and XORs.
/// <para>
/// NetKit's default key is DragonFly's: two seed bytes (0x6d, 0x5a) repeated over 40 bytes. Because the key
/// repeats every 16 bits, swapping source and destination (addresses and ports both start on even offsets)
/// gives the same hash, so both directions of a flow land on the same CPU.
/// </para>
/// </summary>
public sealed class ToeplitzHash
{
    /// <summary>Key length in bytes (enough for the IPv6 4-tuple's 36 input bytes plus a 32-bit window).</summary>
    public const int KeyLength = 40;

    /// <summary>Longest input this hasher accepts.</summary>
    public const int MaxInputLength = KeyLength - 4;

    private readonly uint[] _table; // [MaxInputLength * 256]
    // Set when the key repeats every 16 bits (the symmetric key): then the 32-bit window at bit p depends only on
    // p mod 16, and since Toeplitz is linear over GF(2) the hash of any input equals the hash of the XOR of its 16-bit
    // words. Two lookups (high and low byte of the folded word) replace one per input byte.
    private readonly uint[]? _foldHigh, _foldLow;

    /// <summary>The symmetric default: bytes 0x6d, 0x5a repeated (DragonFly <c>net.toeplitz.keyseed0/1</c>).</summary>
    public static ToeplitzHash Symmetric { get; } = FromSeed(0x6d, 0x5a);

    public ToeplitzHash(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
            throw new ArgumentException($"A Toeplitz key is {KeyLength} bytes.", nameof(key));
        Key = key.ToArray();
        _table = new uint[MaxInputLength * 256];
        for (int i = 0; i < MaxInputLength; i++)
        {
            for (int b = 0; b < 256; b++)
            {
                uint h = 0;
                for (int bit = 0; bit < 8; bit++)
                {
                    if ((b & (0x80 >> bit)) != 0)
                        h ^= Window(Key, i * 8 + bit);
                }
                _table[i * 256 + b] = h;
            }
        }
        if (RepeatsEvery16Bits(Key))
        {
            _foldHigh = _table.AsSpan(0, 256).ToArray();
            _foldLow = _table.AsSpan(256, 256).ToArray();
        }
    }

    private static bool RepeatsEvery16Bits(byte[] key)
    {
        for (int i = 2; i < key.Length; i++)
            if (key[i] != key[i - 2]) return false;
        return true;
    }

    /// <summary>True when the key repeats every 16 bits, which makes the hash symmetric and lets it use the folded form.</summary>
    public bool IsSymmetric => _foldHigh is not null;

    /// <summary>A key made of two seed bytes repeated (symmetric for IPv4/IPv6 tuples).</summary>
    public static ToeplitzHash FromSeed(byte seed0, byte seed1)
    {
        Span<byte> key = stackalloc byte[KeyLength];
        for (int i = 0; i < KeyLength; i += 2)
        {
            key[i] = seed0;
            key[i + 1] = seed1;
        }
        return new ToeplitzHash(key);
    }

    /// <summary>The 40-byte key (hand it to a NIC so hardware RSS agrees with software, as DragonFly does).</summary>
    public byte[] Key { get; }

    /// <summary>Hashes up to <see cref="MaxInputLength"/> bytes.</summary>
    public uint Compute(ReadOnlySpan<byte> input)
    {
        if (input.Length > MaxInputLength)
            throw new ArgumentException($"Toeplitz input is at most {MaxInputLength} bytes.", nameof(input));
        uint h = 0;
        var table = _table;
        for (int i = 0; i < input.Length; i++) h ^= table[(i << 8) | input[i]];
        return h;
    }

    /// <summary>
    /// IPv4 4-tuple in RSS input order: source address, destination address, source port, destination port
    /// (addresses and ports in network byte order as they appear on the wire, given here as host-order values).
    /// </summary>
    public uint HashIPv4(uint sourceAddress, uint destinationAddress, ushort sourcePort, ushort destinationPort)
    {
        if (_foldHigh is { } high)
        {
            uint fold = sourceAddress ^ destinationAddress;
            return Folded(high, _foldLow!, (fold >> 16) ^ fold ^ sourcePort ^ destinationPort);
        }
        var t = _table;
        return Word(t, 0, sourceAddress) ^ Word(t, 4, destinationAddress) ^
               t[8 * 256 + (sourcePort >> 8)] ^ t[9 * 256 + (sourcePort & 0xff)] ^
               t[10 * 256 + (destinationPort >> 8)] ^ t[11 * 256 + (destinationPort & 0xff)];
    }

    /// <summary>IPv4 address pair only (UDP, fragments; DragonFly <c>toeplitz_rawhash_addr</c>).</summary>
    public uint HashIPv4(uint sourceAddress, uint destinationAddress)
    {
        if (_foldHigh is { } high)
        {
            uint fold = sourceAddress ^ destinationAddress;
            return Folded(high, _foldLow!, (fold >> 16) ^ fold);
        }
        var t = _table;
        return Word(t, 0, sourceAddress) ^ Word(t, 4, destinationAddress);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Folded(uint[] high, uint[] low, uint word) => high[(word >> 8) & 0xff] ^ low[word & 0xff];

    private static uint Word(uint[] t, int offset, uint value) =>
        t[offset * 256 + (int)(value >> 24)] ^ t[(offset + 1) * 256 + (int)((value >> 16) & 0xff)] ^
        t[(offset + 2) * 256 + (int)((value >> 8) & 0xff)] ^ t[(offset + 3) * 256 + (int)(value & 0xff)];

    /// <summary>The 32 key bits starting at bit <paramref name="bitOffset"/> (bit 0 = MSB of key[0]).</summary>
    private static uint Window(byte[] key, int bitOffset)
    {
        int byteIndex = bitOffset >> 3;
        int shift = bitOffset & 7;
        // 5 bytes cover any 32-bit window; bytes past the key read as zero.
        ulong v = 0;
        for (int i = 0; i < 5; i++)
            v = (v << 8) | (byteIndex + i < key.Length ? key[byteIndex + i] : 0u);
        return (uint)(v >> (8 - shift));
    }
}
