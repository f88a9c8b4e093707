using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using NetKit.Appliance.LinuxPeer;
using NetKit.Appliance.Tests.Support;
using NetKit.Drivers.Tap;
using NetKit.Protocols.Interfaces;
using NetKit.Protocols.Stacks;
using NetKit.Protocols.Wire;
using NetKit.Runtime.Sockets;
using NetKit.Runtime.Threading;
using Xunit;
using SocketShutdown = System.Net.Sockets.SocketShutdown;

namespace NetKit.Appliance.Tests.EndToEnd;

/// <summary>
/// NetKit → Linux: a NetKit stack hosted in this test process on a TAP (the appliance has no client mode) connects out
/// to <c>nc -l</c> in the peer namespace and sends 64 MiB; what nc wrote to its file must hash the same.
/// </summary>
public sealed class OutboundTcpTests : IDisposable
{
    private const int Length = 64 << 20;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);
    private readonly ScratchDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [LinuxFact("nc")]
    public async Task SixtyFourMebibytesFromNetKitArriveInLinuxIntact()
    {
        int subnet = Random.Shared.Next(1, 255);
        string tap = $"nkc{Random.Shared.Next(0x1000000):x6}";
        var local = IPv4Address.Parse($"10.79.{subnet}.1");
        var remote = IPv4Address.Parse($"10.79.{subnet}.2");
        string received = _scratch.File("nc.out");
        var data = PeerSockets.RandomBytes(Length, seed: 31);

        using var threads = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 2, PinThreads = false, NamePrefix = "e2e-out" }).Start();
        var stack = new InetStack(threads);
        var device = new TapDevice(new TapDeviceOptions { Name = tap, Offloads = true });
        PeerNamespace? peer = null;
        try
        {
            stack.AddInterface(device, new InterfaceConfiguration(local, 24));
            peer = PeerNamespace.Create();
            peer.AdoptLink(tap, $"{remote}/24");
            using var nc = peer.Start(["nc", "-l", "-n", "5001"], standardOutputPath: received);
            await WaitListeningAsync(peer, 5001);

            using var socket = NetKitSocket.Create(stack, SocketType.Stream);
            using var cancel = new CancellationTokenSource(Limit);
            await socket.ConnectAsync(SockAddr.IPv4(remote.Value, 5001), cancel.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            for (int sent = 0; sent < data.Length;)
                sent += await socket.SendAsync(data.AsMemory(sent), cancel.Token);
            socket.Shutdown(SocketShutdown.Send);
            // nc closes its side after our FIN: all data was delivered to it by then.
            Assert.Equal(0, await socket.ReceiveAsync(new byte[16], cancel.Token));
            Assert.True(await nc.WaitForExitAsync(TimeSpan.FromSeconds(20)) == 0, nc.ToString());

            Assert.Equal(Length, new FileInfo(received).Length);
            Assert.Equal(Sha256Of.Bytes(data), Sha256Of.File(received));
            Assert.True(device.TransmittedFrames > 0 && device.ReceivedFrames > 0,
                $"device counters: {device.TransmittedFrames} sent, {device.ReceivedFrames} received");
        }
        finally
        {
            // The TAP first (its protocol threads still running), then the namespace, then the threads.
            device.Dispose();
            peer?.Dispose();
        }
    }

    /// <summary>Waits (bounded) until a TCP listener on <paramref name="port"/> exists in <paramref name="ns"/>.</summary>
    private static async Task WaitListeningAsync(PeerNamespace ns, int port)
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            var ss = await ns.RunAsync(["ss", "-H", "-t", "-l", "-n", $"sport = :{port}"], TimeSpan.FromSeconds(5));
            if (ss.Succeeded && ss.StandardOutput.Contains($":{port}", StringComparison.Ordinal)) return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"nothing listens on port {port} in {ns}");
    }
}
