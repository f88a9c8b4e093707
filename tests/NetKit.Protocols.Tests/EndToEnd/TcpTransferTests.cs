using System;
using System.Security.Cryptography;
using System.Threading.Tasks;
using NetKit.Protocols.Tcp;
using NetKit.Runtime;
using NetKit.Runtime.Sockets;
using Xunit;
using TcpStateOf = NetKit.Protocols.Tcp.TcpState;

namespace NetKit.Protocols.Tests.EndToEnd;

/// <summary>TCP between two stacks on the memory link: handshake, bulk data both ways with SHA-256 at both ends, close.</summary>
public sealed class TcpTransferTests : IDisposable
{
    private readonly TwoHosts _hosts = new();

    public void Dispose() => _hosts.Dispose();

    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AConnectionCarriesDataBothWaysAndCloses()
    {
        using var listener = NetKitSocket.Create(_hosts.B, SocketType.Stream);
        listener.Bind(SockAddr.IPv4(TwoHosts.AddressB.Value, 80));
        listener.Listen();
        var accept = Task.Run(() => listener.Accept());

        using var client = NetKitSocket.Create(_hosts.A, SocketType.Stream);
        client.Connect(SockAddr.IPv4(TwoHosts.AddressB.Value, 80));
        using var server = await accept.WaitAsync(Limit);
        Assert.Equal(client.LocalEndPoint, server.RemoteEndPoint);

        var request = new byte[1 << 20];
        new Random(1).NextBytes(request);
        var serve = Task.Run(() =>
        {
            // Echo everything back until the client's FIN.
            var buffer = new byte[65536];
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            while (true)
            {
                int n = server.Receive(buffer);
                if (n == 0) break;
                hash.AppendData(buffer, 0, n);
                int sent = 0;
                while (sent < n) sent += server.Send(buffer.AsSpan(sent, n - sent));
            }
            server.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            return hash.GetHashAndReset();
        });
        var send = Task.Run(() =>
        {
            int sent = 0;
            while (sent < request.Length) sent += client.Send(request.AsSpan(sent, Math.Min(50_000, request.Length - sent)));
            client.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        });
        var received = new byte[request.Length];
        int total = 0;
        var buffer = new byte[32768];
        var receive = Task.Run(() =>
        {
            while (true)
            {
                int n = client.Receive(buffer);
                if (n == 0) break;
                Buffer.BlockCopy(buffer, 0, received, total, n);
                total += n;
            }
        });
        await Task.WhenAll(send, receive, serve).WaitAsync(Limit);
        Assert.Equal(SHA256.HashData(request), await serve);
        Assert.Equal(request.Length, total);
        Assert.Equal(SHA256.HashData(request), SHA256.HashData(received));
        Assert.Equal(0, _hosts.A.State<TcpStateOf>().Counters[TcpCounter.Malformed] + _hosts.B.State<TcpStateOf>().Counters[TcpCounter.BadChecksum]);
    }
}

/// <summary>Jumbo segments: a 64 KiB MTU on the memory link gives an MSS near 64 KiB, carried in buffer chains.</summary>
public sealed class TcpJumboTransferTests
{
    [Fact]
    public async Task SixtyFourKibMtuCarriesBothStreamsWhole()
    {
        using var hosts = new TwoHosts(mtu: 65535);
        using var pair = await TcpPair.ConnectAsync(hosts, 6001, bufferSize: 4 << 20).WaitAsync(TimeSpan.FromSeconds(60));
        var result = await TcpPair.Within(pair.TransferBothWaysAsync(16 << 20), hosts, TimeSpan.FromSeconds(120));
        Assert.True(result.Intact, result.ToString());
        var counters = hosts.A.State<NetKit.Protocols.Tcp.TcpState>().Counters;
        // Far fewer segments than 1500-byte ones would need: the large MSS was used.
        Assert.True(counters[TcpCounter.SegmentsSent] < (16 << 20) / 1460, $"{counters[TcpCounter.SegmentsSent]} segments");
    }
}

/// <summary>
/// Checksum offload on the memory link: segments leave with only the pseudo-header sum (CHECKSUM_PARTIAL); a
/// receiving interface with the offload vouches for them, one without completes them in software first. Both
/// directions mixed here: A offloads and B does not, so each path is taken.
/// </summary>
public sealed class TcpChecksumOffloadTests
{
    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public async Task EveryCombinationOfOffloadsDeliversIntactStreams(bool offloadA, bool offloadB)
    {
        using var hosts = new TwoHosts(checksumOffloadA: offloadA, checksumOffloadB: offloadB);
        using var pair = await TcpPair.ConnectAsync(hosts, 6100).WaitAsync(TimeSpan.FromSeconds(60));
        var result = await TcpPair.Within(pair.TransferBothWaysAsync(1 << 20), hosts, TimeSpan.FromSeconds(60));
        Assert.True(result.Intact, result.ToString());
        Assert.Equal(0, hosts.A.State<NetKit.Protocols.Tcp.TcpState>().Counters[TcpCounter.BadChecksum]);
        Assert.Equal(0, hosts.B.State<NetKit.Protocols.Tcp.TcpState>().Counters[TcpCounter.BadChecksum]);
    }

    [Fact]
    public async Task ACorruptedFrameIsNotVouchedForAndIsDropped()
    {
        var corrupt = new NetKit.Drivers.Impairments.ImpairmentOptions { CorruptionProbability = 0.02, Seed = 5 };
        using var hosts = new TwoHosts(impairA: corrupt);
        using var pair = await TcpPair.ConnectAsync(hosts, 6101).WaitAsync(TimeSpan.FromSeconds(60));
        var result = await TcpPair.Within(pair.TransferBothWaysAsync(1 << 20), hosts, TimeSpan.FromSeconds(120));
        Assert.True(result.Intact, result.ToString());
        Assert.True(hosts.DeviceA.ImpairmentCounters.Corrupted > 0);
    }
}
