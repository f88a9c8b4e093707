using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using NetKit.Appliance.Tests.Support;
using Xunit;

namespace NetKit.Appliance.Tests.EndToEnd;

/// <summary>1,000 Linux TCP connections open at once to tcp-echo, each exchanging its own message.</summary>
[Collection(ApplianceCollection.Name)]
public sealed class ConcurrentConnectionsTests(ApplianceFixture fixture)
{
    private const int Connections = 1000;

    [LinuxFact]
    public async Task AThousandConcurrentConnectionsAllEcho()
    {
        // The sockets are made inside the namespace (setns on a private thread) and used from here.
        var sockets = await fixture.Peer.RunInsideAsync(() =>
            Enumerable.Range(0, Connections).Select(_ => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)).ToArray());
        try
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var echo = new IPEndPoint(IPAddress.Parse(fixture.Host.ApplianceAddress), 7);
            // All connect concurrently; none sends before all are established, so 1,000 are open at the same time.
            await Task.WhenAll(sockets.Select(s => s.ConnectAsync(echo, cancel.Token).AsTask()));
            Assert.All(sockets, s => Assert.True(s.Connected));
            string run = Guid.NewGuid().ToString("N");
            var replies = await Task.WhenAll(sockets.Select((s, i) => ExchangeAsync(s, $"connection {i} of run {run}\n", cancel.Token)));
            int matching = replies.Where((reply, i) => reply == $"connection {i} of run {run}\n").Count();
            Assert.Equal(Connections, matching);
            // Orderly close: each half-closes, the echo service answers with its FIN.
            var ends = await Task.WhenAll(sockets.Select(s => CloseAsync(s, cancel.Token)));
            Assert.Equal(Connections, ends.Count(end => end));
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }
    }

    private static async Task<string> ExchangeAsync(Socket socket, string message, CancellationToken token)
    {
        var bytes = Encoding.ASCII.GetBytes(message);
        await socket.SendAsync(bytes, SocketFlags.None, token);
        var reply = new byte[bytes.Length];
        int received = 0;
        while (received < reply.Length)
        {
            int n = await socket.ReceiveAsync(reply.AsMemory(received), SocketFlags.None, token);
            if (n == 0) break;
            received += n;
        }
        return Encoding.ASCII.GetString(reply, 0, received);
    }

    /// <summary>Half-closes and waits for the peer's FIN (true) with no further data.</summary>
    private static async Task<bool> CloseAsync(Socket socket, CancellationToken token)
    {
        socket.Shutdown(SocketShutdown.Send);
        var buffer = new byte[16];
        return await socket.ReceiveAsync(buffer, SocketFlags.None, token) == 0;
    }
}
