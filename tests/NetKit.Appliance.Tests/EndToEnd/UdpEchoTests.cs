using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using NetKit.Appliance.Tests.Support;
using Xunit;

namespace NetKit.Appliance.Tests.EndToEnd;

/// <summary>The udp-echo service from Linux: socat datagrams, and a test socket in the namespace (sizes up to fragmenting ones).</summary>
[Collection(ApplianceCollection.Name)]
public sealed class UdpEchoTests(ApplianceFixture fixture)
{
    [LinuxFact("socat")]
    public async Task SocatGetsItsDatagramBack()
    {
        string message = $"netkit udp echo {Guid.NewGuid():N}";
        // One datagram out; -t 2: wait up to 2 s for the reply after stdin's end.
        var socat = await fixture.Peer.RunAsync(["socat", "-t", "2", "-", $"UDP:{fixture.Host.ApplianceAddress}:7"],
            TimeSpan.FromSeconds(20), standardInput: message);
        Assert.True(socat.Succeeded, socat.ToString());
        Assert.Equal(message, socat.StandardOutput);
    }

    [LinuxFact]
    public async Task DatagramsOfEverySizeComeBackUnchanged()
    {
        using var socket = await fixture.Peer.CreateSocketAsync(SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(fixture.Host.PeerAddress), 0));
        var appliance = new IPEndPoint(IPAddress.Parse(fixture.Host.ApplianceAddress), 7);
        // 1472 is the largest unfragmented payload; 1473 and up travel as IPv4 fragments.
        var sizes = new List<int> { 0, 1, 64, 512, 1000, 1472, 1473, 3000, 8000, 20000, 65507 };
        for (int i = 0; i < 200; i++) sizes.Add(1 + (i * 37) % 1400);
        var random = new Random(5);
        var buffer = new byte[65536];
        int answered = 0;
        foreach (int size in sizes)
        {
            var payload = new byte[size];
            random.NextBytes(payload);
            byte[]? reply = null;
            // UDP may lose a datagram on a busy machine: up to 3 tries each, a reply must match exactly.
            for (int attempt = 0; attempt < 3 && reply is null; attempt++)
            {
                await socket.SendToAsync(payload, appliance);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    var result = await socket.ReceiveFromAsync(buffer, appliance, wait.Token);
                    reply = buffer.AsSpan(0, result.ReceivedBytes).ToArray();
                    Assert.Equal(appliance, result.RemoteEndPoint);
                }
                catch (OperationCanceledException)
                {
                }
            }
            Assert.True(reply is not null, $"no echo of a {size}-byte datagram after 3 tries");
            Assert.Equal(payload, reply);
            answered++;
        }
        Assert.Equal(sizes.Count, answered);
    }
}
