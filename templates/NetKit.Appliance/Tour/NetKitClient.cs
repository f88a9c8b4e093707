using System;
using System.Diagnostics;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using NetKit.Appliance.Serve;
using NetKit.Protocols.Icmp;
using NetKit.Protocols.Stacks;
using NetKit.Protocols.Wire;
using NetKit.Runtime;
using NetKit.Runtime.Sockets;
using NetKit.Runtime.Threading;
using SocketShutdown = System.Net.Sockets.SocketShutdown;

namespace NetKit.Appliance.Tour;

/// <summary>
/// A second NetKit stack as the tour's client on the in-memory link, doing what ping, curl and socat do on the TAP
/// path: ICMP echo from a protocol thread, HTTP GET, a bulk send into discard, a UDP datagram to udp-echo.
/// </summary>
public sealed class NetKitClient(InetStack stack, ProtocolThreadGroup threads) : ITourClient
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan ReplyWait = TimeSpan.FromSeconds(2);
    private readonly IPv4Address _appliance = TourNetwork.ApplianceAddress;
    private ushort _sequence;

    public string? SkipReason(TourStep step) => null; // everything it needs is in this process

    public async Task WarmUpAsync()
    {
        await PingAsync(TourExchange.SmallPingBytes, 1).ConfigureAwait(false);
        await PingAsync(TourExchange.LargePingBytes, 1).ConfigureAwait(false);
    }

    public Task<PingResult> PingAsync(int dataBytes, int count) => Task.Run(() =>
    {
        var replies = stack.State<IcmpState>().Counters;
        int received = 0;
        double total = 0;
        for (int i = 0; i < count; i++)
        {
            // One request at a time, like ping: the reply is the next EchoRepliesReceived (nothing else pings here).
            long before = replies[IcmpCounter.EchoRepliesReceived];
            var clock = Stopwatch.StartNew();
            var error = threads[0].Port.Do(new EchoRequestMessage(stack, _appliance, 0x4e4b, ++_sequence, dataBytes));
            if (error != Errno.None) throw new TourStepException($"echo request {_sequence}: {error}");
            var spin = new SpinWait();
            while (replies[IcmpCounter.EchoRepliesReceived] == before && clock.Elapsed < ReplyWait) spin.SpinOnce(sleep1Threshold: -1);
            if (replies[IcmpCounter.EchoRepliesReceived] == before) continue;
            received++;
            total += clock.Elapsed.TotalMilliseconds;
        }
        return new PingResult(count, received, received > 0 ? total / received : null);
    });

    public Task<HttpResult> GetAsync(string target) =>
        NetKitHttpGet.RunAsync(stack, _appliance, TourNetwork.Port(ServiceKind.Http), target, Limit);

    public async Task<UploadResult> UploadAsync(long bytes)
    {
        var clock = Stopwatch.StartNew();
        using var socket = NetKitSocket.Create(stack, SocketType.Stream);
        await socket.ConnectAsync(SockAddr.IPv4(_appliance.Value, TourNetwork.Port(ServiceKind.Discard))).AsTask().WaitAsync(Limit).ConfigureAwait(false);
        var zeros = new byte[256 * 1024];
        for (long sent = 0; sent < bytes;)
        {
            int chunk = (int)Math.Min(zeros.Length, bytes - sent);
            await SendAllAsync(socket, zeros.AsMemory(0, chunk), Limit).ConfigureAwait(false);
            sent += chunk;
        }
        socket.Shutdown(SocketShutdown.Send);
        // discard closes after our FIN, which it sees only after reading every byte: its FIN ends the clock.
        var sink = new byte[4096];
        while (await socket.ReceiveAsync(sink).AsTask().WaitAsync(Limit).ConfigureAwait(false) > 0)
        {
        }
        return new UploadResult(bytes, clock.Elapsed.TotalSeconds);
    }

    public async Task<UdpEchoResult> UdpEchoAsync(string message)
    {
        using var socket = NetKitSocket.Create(stack, SocketType.Datagram);
        var appliance = SockAddr.IPv4(_appliance.Value, TourNetwork.Port(ServiceKind.UdpEcho));
        var payload = Encoding.ASCII.GetBytes(message);
        var buffer = new byte[NetKitSocket.MaxDatagram];
        // UDP may lose a datagram: up to three tries, each waiting 2 s for the echo.
        for (int attempt = 0; attempt < 3; attempt++)
        {
            await socket.SendToAsync(payload, appliance).ConfigureAwait(false);
            using var wait = new CancellationTokenSource(ReplyWait);
            try
            {
                var reply = await socket.ReceiveFromAsync(buffer, wait.Token).ConfigureAwait(false);
                bool matched = buffer.AsSpan(0, reply.Received).SequenceEqual(payload);
                return new UdpEchoResult(matched, payload.Length, matched ? null : $"the echo differs ({reply.Received} bytes)");
            }
            catch (OperationCanceledException)
            {
            }
        }
        return new UdpEchoResult(false, payload.Length, "no echo after 3 tries");
    }

    /// <summary>Sends all of <paramref name="data"/> (a stream send takes what fits in the send buffer).</summary>
    internal static async Task SendAllAsync(NetKitSocket socket, ReadOnlyMemory<byte> data, TimeSpan limit)
    {
        while (!data.IsEmpty) data = data[await socket.SendAsync(data).AsTask().WaitAsync(limit).ConfigureAwait(false)..];
    }
}
