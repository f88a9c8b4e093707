using System;
using System.Threading;
using NetKit.Protocols.Wire;
using NetKit.Runtime;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Sockets;

namespace NetKit.Appliance.Serve;

/// <summary>
/// <c>udp-echo</c>: a run-to-completion <see cref="IDatagramHandler"/>. The protocol thread that receives a datagram
/// sends it back at once from the same thread (the reply's 4-tuple hashes there): no queue, no application thread.
/// </summary>
public sealed class UdpEchoService : ApplianceService, IDatagramHandler
{
    // Per-thread counters, each thread's row on its own pair of cache lines: the handler runs on every protocol thread
    // at once and a shared counter would bounce between their caches.
    private const int Stride = 16, Datagrams = 0, BytesIn = 1, BytesOut = 2, Errors = 3;
    private long[] _counts = new long[Stride];
    private NetKitSocket? _socket;
    private int _stopped;

    public UdpEchoService(ushort port)
        : base(new ServiceSpec(ServiceKind.UdpEcho, port))
    {
    }

    public override ServiceCounters Counters
    {
        get
        {
            var counts = _counts;
            long datagrams = 0, bytesIn = 0, bytesOut = 0, errors = 0;
            for (int row = 0; row < counts.Length; row += Stride)
            {
                datagrams += Volatile.Read(ref counts[row + Datagrams]);
                bytesIn += Volatile.Read(ref counts[row + BytesIn]);
                bytesOut += Volatile.Read(ref counts[row + BytesOut]);
                errors += Volatile.Read(ref counts[row + Errors]);
            }
            return new ServiceCounters(0, bytesIn, bytesOut, datagrams, errors);
        }
    }

    public override void Start(NetStack stack, IPv4Address address)
    {
        ArgumentNullException.ThrowIfNull(stack);
        _counts = new long[Stride * stack.Threads.Count];
        var error = NetKitSocket.TryCreate(stack, SocketType.Datagram, 0, out var socket);
        if (error == Errno.None) error = socket!.TrySetDatagramHandler(this); // before bind: nothing reaches the queue
        if (error == Errno.None) error = socket!.TryBind(SockAddr.IPv4(address.Value, Spec.Port));
        if (error != Errno.None)
        {
            socket?.Dispose();
            throw new ServiceStartException($"cannot start {Spec} on {address}:{Spec.Port}: {error} ({error.Describe()})");
        }
        _socket = socket;
    }

    /// <summary>Runs on the protocol thread that received the datagram; never blocks.</summary>
    public void OnDatagram(ReadOnlySpan<byte> payload, in DatagramReply reply)
    {
        var counts = _counts;
        int row = reply.Thread * Stride;
        counts[row + Datagrams]++;
        counts[row + BytesIn] += payload.Length;
        if (reply.Send(payload) == Errno.None) counts[row + BytesOut] += payload.Length;
        else counts[row + Errors]++;
    }

    public override void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        _socket?.Dispose();
    }
}
