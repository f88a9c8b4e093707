using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Threading;
using NetKit.Runtime.Buffers;

namespace NetKit.Drivers.Memory;

/// <summary>
/// A segment joining two or more <see cref="MemoryInterface"/>s in one process, like a switch with a static MAC table:
/// a frame goes to the interface whose MAC is its destination (bytes 0..5), a broadcast or multicast (bit 0 of byte 0)
/// to every other interface (each gets its own copy), and a frame for an unknown MAC is dropped and counted. Frames
/// never come back to their sender. Forwarding runs on the sender's protocol thread and takes no lock: the interface
/// list is copy-on-write.
/// </summary>
public sealed class MemoryLink
{
    private readonly Lock _gate = new(); // attach and detach only
    private MemoryInterface[] _interfaces = [];
    private volatile bool _up = true;
    private long _unknownDestinationDrops, _floodCopyFailures, _downDrops, _runtDrops;

    public MemoryLink(string name = "memlink") => Name = name;

    public string Name { get; }

    /// <summary>The cable: while false every interface on the link reports down, and frames on it are dropped.</summary>
    public bool IsUp
    {
        get => _up;
        set => _up = value;
    }

    /// <summary>The attached interfaces (a snapshot).</summary>
    public IReadOnlyList<MemoryInterface> Interfaces => Volatile.Read(ref _interfaces);

    /// <summary>Unicast frames whose destination MAC no attached interface has.</summary>
    public long UnknownDestinationDrops => Volatile.Read(ref _unknownDestinationDrops);

    /// <summary>Broadcast copies not made because the sender's pool was exhausted.</summary>
    public long FloodCopyFailures => Volatile.Read(ref _floodCopyFailures);

    /// <summary>Frames that reached the link while it was down (released late by an impairer, say).</summary>
    public long DownDrops => Volatile.Read(ref _downDrops);

    /// <summary>Frames too short to carry a destination MAC.</summary>
    public long RuntDrops => Volatile.Read(ref _runtDrops);

    /// <summary>A MAC as a number, for one compare per interface.</summary>
    internal static ulong AddressKey(ReadOnlySpan<byte> mac) =>
        (ulong)BinaryPrimitives.ReadUInt32BigEndian(mac) << 16 | BinaryPrimitives.ReadUInt16BigEndian(mac[4..]);

    internal void Attach(MemoryInterface device)
    {
        lock (_gate)
        {
            foreach (var other in _interfaces)
            {
                if (other.AddressKey == device.AddressKey)
                    throw new InvalidOperationException($"{other.Name} on {Name} already has MAC {Convert.ToHexString(other.HardwareAddress)}.");
            }
            Volatile.Write(ref _interfaces, [.. _interfaces, device]);
        }
    }

    /// <summary>Removes <paramref name="device"/> and returns the interfaces attached until now.</summary>
    internal MemoryInterface[] Detach(MemoryInterface device)
    {
        lock (_gate)
        {
            var before = _interfaces;
            Volatile.Write(ref _interfaces, Array.FindAll(before, d => d != device));
            return before;
        }
    }

    /// <summary>Takes a frame over from <paramref name="from"/> (its transmit path) and delivers it.</summary>
    internal void Forward(PacketBuffer frame, MemoryInterface from)
    {
        if (!_up)
        {
            Interlocked.Increment(ref _downDrops);
            frame.Free();
            return;
        }
        var data = frame.Data;
        if (data.Length < 6)
        {
            Interlocked.Increment(ref _runtDrops);
            frame.Free();
            return;
        }
        var interfaces = Volatile.Read(ref _interfaces);
        if ((data[0] & 1) != 0)
        {
            Flood(frame, from, interfaces);
            return;
        }
        ulong destination = AddressKey(data);
        foreach (var device in interfaces)
        {
            if (device.AddressKey == destination && device != from)
            {
                device.Deliver(frame);
                return;
            }
        }
        Interlocked.Increment(ref _unknownDestinationDrops);
        frame.Free();
    }

    // Every other interface gets a copy; the last one gets the original, so a two-interface link copies nothing.
    private void Flood(PacketBuffer frame, MemoryInterface from, MemoryInterface[] interfaces)
    {
        MemoryInterface? previous = null;
        foreach (var device in interfaces)
        {
            if (device == from) continue;
            if (previous is not null)
            {
                var copy = FrameCopy.Clone(frame);
                if (copy is null) Interlocked.Increment(ref _floodCopyFailures);
                else previous.Deliver(copy);
            }
            previous = device;
        }
        if (previous is null) frame.Free();
        else previous.Deliver(frame);
    }
}
