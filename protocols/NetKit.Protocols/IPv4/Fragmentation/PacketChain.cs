using System;
using NetKit.Runtime.Buffers;

namespace NetKit.Protocols.IPv4.Fragmentation;

/// <summary>Operations on a <see cref="PacketBuffer"/> chain's data as one byte sequence (m_adj / m_copydata).</summary>
internal static class PacketChain
{
    public static PacketBuffer Last(PacketBuffer head)
    {
        var b = head;
        while (b.Next is not null) b = b.Next;
        return b;
    }

    /// <summary>Block bytes the chain pins: what a held fragment really costs.</summary>
    public static long Capacity(PacketBuffer head)
    {
        long total = 0;
        for (PacketBuffer? b = head; b is not null; b = b.Next) total += b.Capacity;
        return total;
    }

    public static int Count(PacketBuffer head)
    {
        int count = 0;
        for (PacketBuffer? b = head; b is not null; b = b.Next) count++;
        return count;
    }

    /// <summary>Drops <paramref name="count"/> bytes from the front, freeing buffers left empty; returns the new
    /// head. The chain must hold more than <paramref name="count"/> bytes.</summary>
    public static PacketBuffer TrimFront(PacketBuffer head, int count)
    {
        while (count > 0 && count >= head.Length && head.Next is not null)
        {
            count -= head.Length;
            var next = head.Next;
            head.Next = null;
            head.Free();
            head = next;
        }
        if (count > 0) head.TrimFront(count);
        return head;
    }

    /// <summary>Keeps the first <paramref name="length"/> bytes, freeing every buffer after them.</summary>
    public static void Truncate(PacketBuffer head, int length)
    {
        var b = head;
        while (length > b.Length && b.Next is not null)
        {
            length -= b.Length;
            b = b.Next;
        }
        if (length < b.Length) b.TrimEnd(b.Length - length);
        if (b.Next is { } rest)
        {
            b.Next = null;
            rest.Free();
        }
    }

    /// <summary>Compares <paramref name="length"/> bytes of two chains, each from its own data offset.</summary>
    public static bool RangeEquals(PacketBuffer a, int aOffset, PacketBuffer b, int bOffset, int length)
    {
        Seek(ref a, ref aOffset);
        Seek(ref b, ref bOffset);
        while (length > 0)
        {
            var sa = a.Data[aOffset..];
            var sb = b.Data[bOffset..];
            int n = Math.Min(length, Math.Min(sa.Length, sb.Length));
            if (!sa[..n].SequenceEqual(sb[..n])) return false;
            length -= n;
            aOffset += n;
            bOffset += n;
            if (length == 0) break;
            Seek(ref a, ref aOffset);
            Seek(ref b, ref bOffset);
        }
        return true;
    }

    /// <summary>Moves to the buffer holding data offset <paramref name="offset"/> (skipping empty buffers).</summary>
    private static void Seek(ref PacketBuffer buffer, ref int offset)
    {
        while (offset >= buffer.Length && buffer.Next is not null)
        {
            offset -= buffer.Length;
            buffer = buffer.Next;
        }
    }
}
