using System;
using System.Runtime.CompilerServices;
using NetKit.Runtime.Messaging;

namespace NetKit.Runtime.Buffers;

/// <summary>
/// A packet buffer (NetKit's mbuf): a fixed block of pinned or native memory with the data at
/// [<see cref="Offset"/>, <see cref="Offset"/>+<see cref="Length"/>), headroom in front for headers prepended on
/// output, and a <see cref="Next"/> link for payloads larger than one buffer (64 KiB offload segments).
/// <para>
/// Ownership is explicit: whoever holds a rented buffer owns it and either passes it on (to a port, a ring, a
/// driver) or frees it; exactly one owner frees. Freeing twice is detected, counted and refused
/// (<see cref="Diagnostics.MisuseKind.DoubleFree"/>), so the pool is never corrupted.
/// </para>
/// </summary>
public sealed unsafe class PacketBuffer
{
    private readonly byte* _memory;
    private int _offset;
    private int _length;

    internal int OwnedFlag;            // 1 while rented, 0 while in the pool
    internal PacketBuffer? FreeNext;   // pool free-list link

    internal PacketBuffer(PacketBufferPool pool, byte* memory, int capacity)
    {
        Pool = pool;
        _memory = memory;
        Capacity = capacity;
    }

    /// <summary>The pool this buffer returns to (its home CPU's pool).</summary>
    public PacketBufferPool Pool { get; }

    /// <summary>Total bytes of the block.</summary>
    public int Capacity { get; }

    /// <summary>Start of the data within the block (equals the headroom).</summary>
    public int Offset => _offset;

    /// <summary>Bytes of data in this buffer (not counting the chain).</summary>
    public int Length => _length;

    /// <summary>Bytes free in front of the data.</summary>
    public int Headroom => _offset;

    /// <summary>Bytes free after the data.</summary>
    public int Tailroom => Capacity - _offset - _length;

    /// <summary>Next buffer of a chained packet, or null.</summary>
    public PacketBuffer? Next { get; set; }

    /// <summary>Incremented on every rent; lets holders detect a stale reference.</summary>
    public int Generation { get; internal set; }

    /// <summary>Flow hash of the packet, valid when <see cref="HasFlowHash"/> (DragonFly <c>m_pkthdr.hash</c>/<c>M_HASH</c>).</summary>
    public uint FlowHash { get; set; }

    public bool HasFlowHash { get; set; }

    /// <summary>
    /// Offset in <see cref="Data"/> of the network (IP) header, set by network input so a transport can read the
    /// addresses in front of its own header (BSD keeps the IP header in front of the transport's in the mbuf too).
    /// </summary>
    public int NetworkOffset { get; set; }

    /// <summary>Index of the interface the packet arrived on, within its stack (BSD <c>m_pkthdr.rcvif</c>); -1 if none.</summary>
    public int InterfaceIndex { get; set; } = -1;

    /// <summary>
    /// A message embedded in the buffer, set once by the protocol layer and reused for every trip of this buffer
    /// through a port (DragonFly <c>mh_netmsg</c>); survives returns to the pool.
    /// </summary>
    public NetMsg? EmbeddedMessage { get; set; }

    /// <summary>True while rented.</summary>
    public bool IsOwned => OwnedFlag != 0;

    /// <summary>The data.</summary>
    public Span<byte> Data => new(_memory + _offset, _length);

    /// <summary>The whole block, ignoring offset and length (drivers fill it, then call <see cref="SetData"/>).</summary>
    public Span<byte> Block => new(_memory, Capacity);

    /// <summary>Address of the block (stable for the buffer's life: pinned or native).</summary>
    public byte* Pointer => _memory;

    /// <summary>Total data length of this buffer and every buffer chained after it.</summary>
    public int ChainLength
    {
        get
        {
            int total = 0;
            for (var b = this; b is not null; b = b.Next) total += b._length;
            return total;
        }
    }

    /// <summary>
    /// Fills the data windows of this buffer and the ones chained after it, in order, from <paramref name="source"/>
    /// (as <c>TryRentChain</c> sized them); returns the bytes copied.
    /// </summary>
    public int CopyIntoChain(ReadOnlySpan<byte> source)
    {
        int copied = 0;
        for (var b = this; b is not null && copied < source.Length; b = b.Next)
        {
            int count = Math.Min(b._length, source.Length - copied);
            source.Slice(copied, count).CopyTo(new Span<byte>(b._memory + b._offset, count));
            copied += count;
        }
        return copied;
    }

    /// <summary>Sets the data window directly.</summary>
    public void SetData(int offset, int length)
    {
        if ((uint)offset > (uint)Capacity || (uint)length > (uint)(Capacity - offset))
            throw new ArgumentOutOfRangeException(nameof(length), $"data [{offset}, {offset + length}) exceeds the {Capacity}-byte buffer.");
        _offset = offset;
        _length = length;
    }

    /// <summary>Grows the data at the front by <paramref name="count"/> bytes (a header) and returns them.</summary>
    public Span<byte> Prepend(int count)
    {
        if ((uint)count > (uint)_offset)
            throw new InvalidOperationException($"Prepend({count}) needs more than the {_offset} bytes of headroom.");
        _offset -= count;
        _length += count;
        ChecksumStart += count; // it counts from the data start, which just moved
        return new Span<byte>(_memory + _offset, count);
    }

    /// <summary>Grows the data at the end by <paramref name="count"/> bytes and returns them.</summary>
    public Span<byte> Append(int count)
    {
        if ((uint)count > (uint)Tailroom)
            throw new InvalidOperationException($"Append({count}) needs more than the {Tailroom} bytes of tailroom.");
        var span = new Span<byte>(_memory + _offset + _length, count);
        _length += count;
        return span;
    }

    /// <summary>Removes <paramref name="count"/> bytes from the front (a header consumed on input).</summary>
    public void TrimFront(int count)
    {
        if ((uint)count > (uint)_length)
            throw new ArgumentOutOfRangeException(nameof(count), $"cannot trim {count} of {_length} bytes.");
        _offset += count;
        _length -= count;
    }

    /// <summary>Removes <paramref name="count"/> bytes from the end.</summary>
    public void TrimEnd(int count)
    {
        if ((uint)count > (uint)_length)
            throw new ArgumentOutOfRangeException(nameof(count), $"cannot trim {count} of {_length} bytes.");
        _length -= count;
    }

    /// <summary>Frees this buffer and every buffer chained after it (DragonFly <c>m_freem</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free()
    {
        if (Next is null) Pool.Return(this);
        else FreeChain();
    }

    private void FreeChain()
    {
        var b = this;
        while (b is not null)
        {
            var next = b.Next;
            b.Next = null;
            b.Pool.Return(b);
            b = next;
        }
    }

    /// <summary>The transport checksum's offload state (see <see cref="Buffers.ChecksumState"/>).</summary>
    public ChecksumState ChecksumState { get; set; }

    /// <summary>With <see cref="ChecksumState.Partial"/>: where the checksummed bytes start, from the data start (kept right across <see cref="Prepend"/>).</summary>
    public int ChecksumStart { get; set; }

    /// <summary>With <see cref="ChecksumState.Partial"/>: the checksum field's offset from <see cref="ChecksumStart"/>.</summary>
    public int ChecksumOffset { get; set; }

    /// <summary>
    /// Transmit: when non-zero, the frame is one large TCP segment the device cuts into segments of this many payload
    /// bytes (TSO; virtio-net's <c>gso_size</c>, Linux's <c>gso_size</c>). Receive: the payload size of the segments a
    /// device coalesced into this frame (GRO/LRO), or 0. Always with a <see cref="ChecksumState.Partial"/> checksum.
    /// </summary>
    public int SegmentationSize { get; set; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ResetForRent(int headroom)
    {
        ChecksumState = ChecksumState.None;
        ChecksumStart = 0;
        SegmentationSize = 0;
        _offset = headroom;
        _length = 0;
        Next = null;
        HasFlowHash = false;
        InterfaceIndex = -1;
        NetworkOffset = 0;
        Generation++;
    }
}
