using System;
using System.IO;
using System.Threading.Tasks;
using NetKit.Appliance.Tests.Support;
using Xunit;

namespace NetKit.Appliance.Tests.EndToEnd;

/// <summary>Bulk Linux TCP → NetKit: 64 MiB into the discard service and through the echo service (socat in the namespace).</summary>
[Collection(ApplianceCollection.Name)]
public sealed class TcpTransferTests(ApplianceFixture fixture)
{
    private const int Length = 64 << 20;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    [LinuxFact("socat")]
    public async Task SixtyFourMebibytesGoIntoDiscardAndTheConnectionClosesCleanly()
    {
        var (input, _) = fixture.Scratch.RandomFile("discard.in", Length, seed: 9);
        string output = fixture.Scratch.File("discard.out");
        // socat reads the file into the connection, half-closes it, and then waits (-t) for the appliance's FIN,
        // copying anything the appliance might send into the output file: discard sends nothing and closes after our FIN.
        var socat = await fixture.Peer.RunAsync(["socat", "-t", "60", $"OPEN:{input},rdonly!!CREATE:{output}",
            $"TCP:{fixture.Host.ApplianceAddress}:9"], Limit);
        Assert.True(socat.Succeeded, socat.ToString());
        Assert.True(socat.Elapsed < TimeSpan.FromSeconds(55), $"socat waited for a FIN that never came: {socat}");
        // The FIN came after discard read to the end of the stream: it took all 64 MiB (and sent nothing back).
        Assert.Equal(0, new FileInfo(output).Length);
    }

    [LinuxFact("socat")]
    public async Task SixtyFourMebibytesComeBackFromEchoUnchanged()
    {
        var (input, sent) = fixture.Scratch.RandomFile("echo.in", Length, seed: 7);
        string output = fixture.Scratch.File("echo.out");
        // -t 60: after the file's end socat half-closes and keeps copying the echo until the appliance's FIN.
        var socat = await fixture.Peer.RunAsync(["socat", "-t", "60", $"OPEN:{input},rdonly!!CREATE:{output}",
            $"TCP:{fixture.Host.ApplianceAddress}:7"], Limit);
        Assert.True(socat.Succeeded, socat.ToString());
        Assert.Equal(Length, new FileInfo(output).Length);
        Assert.Equal(sent, Sha256Of.File(output));
    }

    [LinuxFact]
    public async Task SixtyFourMebibytesEchoedOverATestSocketInTheNamespace()
    {
        var data = PeerSockets.RandomBytes(Length, seed: 11);
        using var socket = await PeerSockets.ConnectAsync(fixture.Peer, fixture.Host.ApplianceAddress, 7, TimeSpan.FromSeconds(10));
        var (received, sha) = await PeerSockets.ExchangeAsync(socket, data, Limit);
        Assert.Equal(Length, received);
        Assert.Equal(Sha256Of.Bytes(data), sha);
    }
}
