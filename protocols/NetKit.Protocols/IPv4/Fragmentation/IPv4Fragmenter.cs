using System;
using NetKit.Runtime.Buffers;

namespace NetKit.Protocols.IPv4.Fragmentation;

/// <summary>
/// IPv4 output fragmentation (RFC 791 §3.2, BSD <c>ip_fragment</c>), in two steps that leave header writing to
/// the caller: <see cref="Plan(int, int, int, bool, Span{FragmentDescriptor}, out int)"/> computes the fragments,
/// <see cref="Split"/> cuts the payload buffer into one buffer chain per fragment, each with headroom for its
/// headers.
/// </summary>
public static class IPv4Fragmenter
{
    /// <summary>Largest IPv4 datagram, header included (the 16-bit total length).</summary>
    public const int MaxDatagramLength = 65535;

    /// <summary>Most payload one fragment can carry behind <paramref name="headerLength"/> bytes of header:
    /// the room left by the MTU, rounded down to 8 because offsets count 8-byte blocks.</summary>
    public static int MaxFragmentPayload(int headerLength, int mtu) => Math.Max(0, mtu - headerLength) & ~7;

    /// <summary>How many fragments <see cref="Plan(int, int, int, int, bool, Span{FragmentDescriptor}, out int)"/>
    /// will produce, or the reason it will refuse.</summary>
    public static FragmentationResult Count(int payloadLength, int firstHeaderLength, int laterHeaderLength, int mtu,
        bool dontFragment, out int count)
    {
        count = 0;
        var check = Check(payloadLength, firstHeaderLength, laterHeaderLength, mtu, dontFragment, out bool fits);
        if (check != FragmentationResult.Success) return check;
        if (fits)
        {
            count = 1;
            return FragmentationResult.Success;
        }
        int first = MaxFragmentPayload(firstHeaderLength, mtu);
        int later = MaxFragmentPayload(laterHeaderLength, mtu);
        count = 1 + (payloadLength - first + later - 1) / later;
        return FragmentationResult.Success;
    }

    /// <summary>Fragments for a datagram whose every fragment carries the same header length.</summary>
    public static FragmentationResult Plan(int payloadLength, int headerLength, int mtu, bool dontFragment,
        Span<FragmentDescriptor> destination, out int count) =>
        Plan(payloadLength, headerLength, headerLength, mtu, dontFragment, destination, out count);

    /// <summary>
    /// Writes the fragments of a <paramref name="payloadLength"/>-byte payload to <paramref name="destination"/>:
    /// one (offset 0, MF clear) when header and payload fit the MTU; otherwise every fragment but the last carries
    /// the largest multiple of 8 that fits. <paramref name="laterHeaderLength"/> is the header of the fragments
    /// after the first, which carry only the options whose copied flag is set (RFC 791 §3.1).
    /// With <paramref name="dontFragment"/> set, a datagram over the MTU is refused with
    /// <see cref="FragmentationResult.MessageTooLong"/>.
    /// </summary>
    public static FragmentationResult Plan(int payloadLength, int firstHeaderLength, int laterHeaderLength, int mtu,
        bool dontFragment, Span<FragmentDescriptor> destination, out int count)
    {
        var result = Count(payloadLength, firstHeaderLength, laterHeaderLength, mtu, dontFragment, out count);
        if (result != FragmentationResult.Success) return result;
        if (destination.Length < count) return FragmentationResult.DestinationTooSmall;
        if (count == 1)
        {
            destination[0] = new FragmentDescriptor(0, payloadLength, false);
            return FragmentationResult.Success;
        }
        int offset = 0;
        int size = MaxFragmentPayload(firstHeaderLength, mtu);
        int later = MaxFragmentPayload(laterHeaderLength, mtu);
        for (int i = 0; i < count; i++)
        {
            int length = Math.Min(size, payloadLength - offset);
            destination[i] = new FragmentDescriptor(offset, length, i < count - 1);
            offset += length;
            size = later;
        }
        return FragmentationResult.Success;
    }

    private static FragmentationResult Check(int payloadLength, int firstHeaderLength, int laterHeaderLength, int mtu,
        bool dontFragment, out bool fits)
    {
        fits = false;
        // Headers are 20 to 60 bytes in 4-byte words (RFC 791 §3.1, IHL).
        if (payloadLength < 0 || !IsHeaderLength(firstHeaderLength) || !IsHeaderLength(laterHeaderLength) || mtu <= 0)
            return FragmentationResult.InvalidArguments;
        if (payloadLength > MaxDatagramLength - firstHeaderLength) return FragmentationResult.DatagramTooLong;
        if (payloadLength <= mtu - firstHeaderLength)
        {
            fits = true;
            return FragmentationResult.Success;
        }
        if (dontFragment) return FragmentationResult.MessageTooLong;
        if (MaxFragmentPayload(firstHeaderLength, mtu) < 8 || MaxFragmentPayload(laterHeaderLength, mtu) < 8)
            return FragmentationResult.InvalidArguments;
        return FragmentationResult.Success;
    }

    private static bool IsHeaderLength(int length) => length is >= 20 and <= 60 && (length & 3) == 0;

    /// <summary>
    /// Cuts <paramref name="payload"/> (a chain holding exactly the datagram's payload) into one chain per
    /// fragment in <paramref name="output"/>, each with at least <paramref name="headroom"/> bytes in front of its
    /// data for the headers the caller prepends. Always takes <paramref name="payload"/> over: its buffers become
    /// fragments or are freed, also on failure (then <paramref name="output"/> is cleared and nothing is held).
    /// <para>
    /// Copies as little as possible: a fragment takes the payload's own buffers (no copy) when none of them is
    /// already taken by the previous fragment and the first has the headroom at the fragment's start; otherwise
    /// its bytes are copied into buffers rented from <paramref name="pool"/>. Common case: the first fragment keeps
    /// the payload's buffer and only the rest is copied.
    /// </para>
    /// </summary>
    public static FragmentationResult Split(PacketBuffer payload, ReadOnlySpan<FragmentDescriptor> fragments,
        PacketBufferPool pool, int headroom, Span<PacketBuffer?> output)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(pool);
        var check = CheckSplit(payload, fragments, pool, headroom, output);
        if (check != FragmentationResult.Success)
        {
            payload.Free();
            output.Clear();
            return check;
        }

        uint flowHash = payload.FlowHash;
        bool hasFlowHash = payload.HasFlowHash;
        int interfaceIndex = payload.InterfaceIndex;

        // Cursor over the payload chain. Its window is captured on entry, before a fragment that takes the buffer
        // narrows it, so later copies read the original bytes through Block.
        var buffer = payload;
        int bufferStart = buffer.Offset;
        int bufferLength = buffer.Length;
        var next = buffer.Next;
        int position = 0;
        bool taken = false;

        for (int i = 0; i < fragments.Length; i++)
        {
            int remaining = fragments[i].Length;
            while (position == bufferLength && next is not null) Move();

            PacketBuffer head;
            if (!taken && bufferStart + position >= headroom)
            {
                // Zero copy: this fragment takes the buffers its bytes lie in.
                head = buffer;
                int take = Math.Min(remaining, bufferLength - position);
                buffer.SetData(bufferStart + position, take);
                position += take;
                remaining -= take;
                taken = true;
                while (remaining > 0)
                {
                    buffer = next!;   // still linked after the previous one: part of this fragment's chain
                    bufferStart = buffer.Offset;
                    bufferLength = buffer.Length;
                    next = buffer.Next;
                    take = Math.Min(remaining, bufferLength);
                    buffer.SetData(bufferStart, take);
                    position = take;
                    remaining -= take;
                }
                buffer.Next = null;
            }
            else
            {
                var copy = pool.TryRentChain(remaining, headroom);
                if (copy is null)
                {
                    for (int j = 0; j < i; j++) output[j]!.Free();
                    output.Clear();
                    FreeRest();
                    return FragmentationResult.NoBuffers;
                }
                head = copy;
                var target = copy;
                int targetPosition = 0;
                while (remaining > 0)
                {
                    if (position == bufferLength) Move();
                    if (targetPosition == target.Length)
                    {
                        target = target.Next!;
                        targetPosition = 0;
                    }
                    int n = Math.Min(remaining, Math.Min(bufferLength - position, target.Length - targetPosition));
                    buffer.Block.Slice(bufferStart + position, n).CopyTo(target.Data.Slice(targetPosition, n));
                    position += n;
                    targetPosition += n;
                    remaining -= n;
                }
            }
            head.FlowHash = flowHash;
            head.HasFlowHash = hasFlowHash;
            head.InterfaceIndex = interfaceIndex;
            output[i] = head;
        }
        FreeRest();
        return FragmentationResult.Success;

        // Leaves the current buffer (freeing it unless a fragment took it) for the next one.
        void Move()
        {
            if (!taken)
            {
                buffer.Next = null;
                buffer.Free();
            }
            buffer = next!;
            bufferStart = buffer.Offset;
            bufferLength = buffer.Length;
            next = buffer.Next;
            position = 0;
            taken = false;
        }

        void FreeRest()
        {
            if (!taken)
            {
                buffer.Next = null;
                buffer.Free();
            }
            next?.Free();
        }
    }

    private static FragmentationResult CheckSplit(PacketBuffer payload, ReadOnlySpan<FragmentDescriptor> fragments,
        PacketBufferPool pool, int headroom, Span<PacketBuffer?> output)
    {
        if (fragments.IsEmpty || headroom < 0 || headroom >= pool.Options.BufferSize)
            return FragmentationResult.InvalidArguments;
        if (output.Length < fragments.Length) return FragmentationResult.DestinationTooSmall;
        int offset = 0;
        foreach (var fragment in fragments)
        {
            if (fragment.Offset != offset || fragment.Length < 0) return FragmentationResult.InvalidArguments;
            offset += fragment.Length;
        }
        return offset == payload.ChainLength ? FragmentationResult.Success : FragmentationResult.InvalidArguments;
    }
}
