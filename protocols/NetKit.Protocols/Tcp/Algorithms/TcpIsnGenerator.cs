using System;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace NetKit.Protocols.Tcp.Algorithms;

/// <summary>
/// Initial sequence numbers per RFC 6528 §3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), where
/// M is a 4 µs timer (so a new incarnation of a connection starts past the old one's sequence space, RFC 9293 §3.4.1)
/// and F is a keyed hash off-path attackers cannot compute (here the first 4 bytes of HMAC-SHA-256), so ISNs of
/// different connections are unpredictable from one another. Read-only after construction, hence safe to share
/// between protocol threads; <see cref="Next"/> does not allocate.
/// </summary>
public sealed class TcpIsnGenerator
{
    /// <summary>The key length generated when none is given (RFC 6528 §3 recommends at least 128 bits).</summary>
    public const int KeyLength = 32;

    /// <summary>The shortest key accepted: 128 bits (RFC 6528 §3).</summary>
    public const int MinKeyLength = 16;

    private readonly byte[] _key;

    /// <summary>A generator with a fresh random key from the system CSPRNG.</summary>
    public TcpIsnGenerator()
    {
        _key = new byte[KeyLength];
        RandomNumberGenerator.Fill(_key);
    }

    /// <summary>A generator with the given secret (copied), e.g. to share one key across stack instances or in tests.</summary>
    public TcpIsnGenerator(ReadOnlySpan<byte> key)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(key.Length, MinKeyLength, nameof(key));
        _key = key.ToArray();
    }

    /// <summary>
    /// The ISN for the connection (local, remote) at <paramref name="nowMicros"/>: advances by one every 4 µs for a
    /// given tuple, and differs unpredictably between tuples. Addresses and ports are in host order.
    /// </summary>
    public uint Next(uint localAddress, ushort localPort, uint remoteAddress, ushort remotePort, long nowMicros)
    {
        Span<byte> tuple = stackalloc byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(tuple, localAddress);
        BinaryPrimitives.WriteUInt16BigEndian(tuple[4..], localPort);
        BinaryPrimitives.WriteUInt32BigEndian(tuple[6..], remoteAddress);
        BinaryPrimitives.WriteUInt16BigEndian(tuple[10..], remotePort);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, tuple, mac);
        uint f = BinaryPrimitives.ReadUInt32BigEndian(mac);
        uint m = (uint)(nowMicros >> 2); // floor(now / 4), monotonic across zero as well
        return unchecked(m + f);
    }
}
