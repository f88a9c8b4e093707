using System;
using System.Threading.Tasks;
using NetKit.Appliance.Serve;
using NetKit.Runtime.Sockets;
using NetKit.Protocols.Udp;
using Xunit;

namespace NetKit.Appliance.Tests.Serve;

/// <summary>udp-echo end to end over the memory link: answered on the appliance's protocol threads.</summary>
public sealed class UdpEchoServiceTests : IDisposable
{
    private readonly ApplianceOnMemoryLink _appliance = new(new ServiceSpec(ServiceKind.UdpEcho, 7));

    public void Dispose() => _appliance.Dispose();

    [Fact]
    public async Task DatagramsFromManyPortsComeBackFromTheHandler()
    {
        var buffer = new byte[2048];
        long bytes = 0;
        for (int i = 0; i < 24; i++)
        {
            using var client = NetKitSocket.Create(_appliance.Client, SocketType.Datagram);
            client.Connect(SockAddr.IPv4(ApplianceOnMemoryLink.ServerAddress.Value, 7));
            var request = new byte[1 + i * 60];
            Random.Shared.NextBytes(request);
            client.Send(request);
            bytes += request.Length;
            var result = await client.ReceiveFromAsync(buffer).AsTask().WaitAsync(ApplianceOnMemoryLink.Limit);
            Assert.Equal(request, buffer.AsSpan(0, result.Received).ToArray());
            Assert.Equal(SockAddr.IPv4(ApplianceOnMemoryLink.ServerAddress.Value, 7), result.Source);
        }
        var counters = _appliance.Host.Services[0].Counters;
        Assert.Equal(24, counters.Requests);
        Assert.Equal(bytes, counters.BytesIn);
        Assert.Equal(bytes, counters.BytesOut);
        Assert.Equal(0, counters.Errors);
        var udp = _appliance.Host.Stack.State<UdpState>().Counters;
        Assert.Equal(24, udp[UdpCounter.Served]);   // run to completion on the protocol threads
        Assert.Equal(0, udp[UdpCounter.Delivered]); // nothing went through a receive queue
    }

    [Fact]
    public async Task AnEmptyDatagramIsEchoedToo()
    {
        using var client = NetKitSocket.Create(_appliance.Client, SocketType.Datagram);
        client.Connect(SockAddr.IPv4(ApplianceOnMemoryLink.ServerAddress.Value, 7));
        client.Send([]);
        var result = await client.ReceiveFromAsync(new byte[16]).AsTask().WaitAsync(ApplianceOnMemoryLink.Limit);
        Assert.Equal(0, result.Received);
    }
}
