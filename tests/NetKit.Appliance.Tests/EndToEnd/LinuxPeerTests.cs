using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using NetKit.Appliance.LinuxPeer;
using NetKit.Appliance.Tests.Support;
using Xunit;

namespace NetKit.Appliance.Tests.EndToEnd;

/// <summary>The Linux peer tooling itself, Linux against Linux over veth: namespaces, veth, nftables, processes, setns sockets.</summary>
public sealed class LinuxPeerTests
{
    [LinuxFact("ping")]
    public void NamespacesAreCreatedConnectedByVethAndDeletedWithTheirLinks()
    {
        string nameA, nameB, veth;
        using (var a = PeerNamespace.Create())
        using (var b = PeerNamespace.Create())
        {
            nameA = a.Name;
            nameB = b.Name;
            Assert.NotEqual(nameA, nameB);
            Assert.True(a.Exists && b.Exists);
            var pair = VethPair.Create(a, "10.98.0.1/24", b, "10.98.0.2/24");
            veth = pair.NameA;
            var ping = a.Run(["ping", "-n", "-c", "3", "-i", "0.1", "-W", "2", "10.98.0.2"]);
            Assert.True(ping.Succeeded, ping.ToString());
            Assert.Contains("3 received", ping.StandardOutput);
            // The root namespace does not see the link.
            Assert.False(CommandRunner.Run([Tool.Require("ip"), "link", "show", "dev", veth], TimeSpan.FromSeconds(10)).Succeeded);
        }
        var list = CommandRunner.Run([Tool.Require("ip"), "netns", "list"], TimeSpan.FromSeconds(10)).EnsureSuccess().StandardOutput;
        Assert.DoesNotContain(nameA, list);
        Assert.DoesNotContain(nameB, list);
    }

    [LinuxFact("ping", "nft")]
    public void AnNftablesLossRuleDropsAndCountsAndGoesAwayWithItsTable()
    {
        using var a = PeerNamespace.Create();
        using var b = PeerNamespace.Create();
        VethPair.Create(a, "10.98.1.1/24", b, "10.98.1.2/24");
        using (var table = a.AddNftTable("ip", [NftImpairment.Loss("output", "ip daddr 10.98.1.2 icmp type echo-request", 100)]))
        {
            var ping = a.Run(["ping", "-n", "-c", "3", "-i", "0.1", "-W", "1", "10.98.1.2"]);
            Assert.False(ping.Succeeded);
            Assert.Equal(3, table.CounterPackets().Single());
        }
        Assert.DoesNotContain("netkit", a.Run(["nft", "list", "tables"]).EnsureSuccess().StandardOutput);
        Assert.True(a.Run(["ping", "-n", "-c", "1", "-W", "2", "10.98.1.2"]).Succeeded);
    }

    [LinuxFact("socat")]
    public async Task BackgroundProcessesAndSetnsSocketsWorkInsideAndAreStoppedOnDispose()
    {
        PeerProcess sleeper;
        using (var a = PeerNamespace.Create())
        using (var b = PeerNamespace.Create())
        {
            VethPair.Create(a, "10.98.2.1/24", b, "10.98.2.2/24");
            var listener = b.Start(["socat", "-u", "TCP-LISTEN:5000,reuseaddr", "STDOUT"]);
            sleeper = a.Start(["sleep", "300"]);
            Socket? socket = null;
            for (int attempt = 0; socket is null && attempt < 50; attempt++)
            {
                var candidate = await a.CreateSocketAsync(SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await candidate.ConnectAsync(IPAddress.Parse("10.98.2.2"), 5000);
                    socket = candidate;
                }
                catch (SocketException)
                {
                    candidate.Dispose();
                    await Task.Delay(50); // socat not listening yet
                }
            }
            Assert.NotNull(socket);
            using (socket)
            {
                // The socket was made in namespace a: its local address is a's.
                Assert.Equal(IPAddress.Parse("10.98.2.1"), ((IPEndPoint)socket.LocalEndPoint!).Address);
                await socket.SendAsync("hello from a\n"u8.ToArray());
                socket.Shutdown(SocketShutdown.Send);
            }
            Assert.Equal(0, await listener.WaitForExitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal("hello from a\n", listener.StandardOutput);
            Assert.False(sleeper.HasExited);
        }
        // Disposing the namespace stopped the program it started (SIGTERM), by PID.
        Assert.True(sleeper.HasExited);
        Assert.False(Directory.Exists($"/proc/{sleeper.Id}") && File.ReadAllText($"/proc/{sleeper.Id}/cmdline").Contains("sleep", StringComparison.Ordinal));
    }

    [LinuxFact]
    public void ATimedOutCommandIsKilledAndReported()
    {
        using var a = PeerNamespace.Create();
        var result = a.Run(["sleep", "30"], TimeSpan.FromMilliseconds(300));
        Assert.True(result.TimedOut);
        Assert.False(result.Succeeded);
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(10), result.ToString());
        Assert.Throws<PeerCommandException>(() => result.EnsureSuccess());
    }
}
