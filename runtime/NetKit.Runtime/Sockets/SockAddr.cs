using System;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetKit.Runtime.Sockets;

/// <summary>
/// A socket address, blittable and large enough for IPv6 (the role of <c>struct sockaddr_storage</c> for the
/// families NetKit speaks). The port is a host-order number; the address bytes are in network order.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct SockAddr : IEquatable<SockAddr>
{
    /// <summary><c>AF_INET</c>.</summary>
    public const ushort FamilyIPv4 = 2;
    /// <summary><c>AF_INET6</c>.</summary>
    public const ushort FamilyIPv6 = 10;

    public ushort Family;
    public ushort Port;
    public uint ScopeId;
    public AddressBytes Address;

    /// <summary>Sixteen address bytes; an IPv4 address uses the first four.</summary>
    [InlineArray(16)]
    public struct AddressBytes
    {
        private byte _element0;
    }

    /// <summary>An IPv4 address from its host-order value (0x0A000001 is 10.0.0.1) and a port.</summary>
    public static SockAddr IPv4(uint address, ushort port)
    {
        var result = new SockAddr { Family = FamilyIPv4, Port = port };
        BinaryPrimitives.WriteUInt32BigEndian(result.Address, address);
        return result;
    }

    /// <summary>The IPv4 address as a host-order value (valid when <see cref="Family"/> is IPv4).</summary>
    public readonly uint IPv4Address => BinaryPrimitives.ReadUInt32BigEndian(Address);

    public readonly bool IsIPv4 => Family == FamilyIPv4;

    public readonly bool Equals(SockAddr other) =>
        Family == other.Family && Port == other.Port && ScopeId == other.ScopeId &&
        ((ReadOnlySpan<byte>)Address).SequenceEqual(other.Address);

    public override readonly bool Equals(object? obj) => obj is SockAddr other && Equals(other);

    public override readonly int GetHashCode() => HashCode.Combine(Family, Port, IPv4Address);

    public override readonly string ToString()
    {
        if (Family == FamilyIPv4)
        {
            uint a = IPv4Address;
            return $"{a >> 24}.{(a >> 16) & 0xFF}.{(a >> 8) & 0xFF}.{a & 0xFF}:{Port}";
        }
        return Family == 0 ? "(unspecified)" : $"family {Family} port {Port}";
    }
}
