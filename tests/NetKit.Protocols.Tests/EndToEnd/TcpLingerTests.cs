using System;
using System.Diagnostics;
using System.Threading.Tasks;
using NetKit.Protocols.Tcp;
using NetKit.Runtime;
using NetKit.Runtime.Sockets;
using Xunit;
using TcpStateOf = NetKit.Protocols.Tcp.TcpState;

namespace NetKit.Protocols.Tests.EndToEnd;

/// <summary>
/// SO_LINGER on close (socket(7), BSD <c>soclose</c>, Linux <c>sk_stream_wait_close</c>): a timeout above zero waits
/// for the peer to acknowledge everything, up to that time, and never resets; zero resets. Timing is only checked
/// with lower bounds and generous upper bounds.
/// </summary>
public sealed class TcpLingerTests : IDisposable
{
    private readonly TwoHosts _hosts = new();

    public void Dispose() => _hosts.Dispose();

    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>A connected pair: A's client to B's accepted socket; a positive <paramref name="serverReceiveBuffer"/> keeps B's window small.</summary>
    private async Task<(NetKitSocket Listener, NetKitSocket Client, NetKitSocket Server)> ConnectAsync(ushort port, int serverReceiveBuffer = 0)
    {
        var listener = NetKitSocket.Create(_hosts.B, SocketType.Stream);
        if (serverReceiveBuffer > 0) listener.SetOption(SockOptLevel.Socket, SockOptName.ReceiveBuffer, serverReceiveBuffer);
        listener.Bind(SockAddr.IPv4(TwoHosts.AddressB.Value, port));
        listener.Listen();
        var accept = listener.AcceptAsync();
        var client = NetKitSocket.Create(_hosts.A, SocketType.Stream);
        await client.ConnectAsync(SockAddr.IPv4(TwoHosts.AddressB.Value, port)).AsTask().WaitAsync(Limit);
        var server = await accept.AsTask().WaitAsync(Limit);
        return (listener, client, server);
    }

    private static void SetLinger(NetKitSocket socket, int seconds) =>
        socket.SetOption(SockOptLevel.Socket, SockOptName.Linger, new Linger { OnOff = 1, Seconds = seconds });

    private static byte[] Pattern(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static void SendAll(NetKitSocket socket, byte[] data)
    {
        int sent = 0;
        while (sent < data.Length) sent += socket.Send(data.AsSpan(sent));
    }

    /// <summary>Reads to the end of the stream (throws on a reset).</summary>
    private static byte[] ReceiveAll(NetKitSocket socket, int expected)
    {
        var received = new byte[expected + 1];
        int total = 0;
        while (true)
        {
            int n = socket.Receive(received.AsSpan(total));
            if (n == 0) break;
            total += n;
            if (total > expected) break;
        }
        return received.AsSpan(0, total).ToArray();
    }

    /// <summary>Waits until the server, which does not read, has taken in all its small window allows (nothing new for 50 ms).</summary>
    private static async Task WaitForFullWindowAsync(NetKitSocket client, NetKitSocket server, int sent)
    {
        var deadline = DateTime.UtcNow + Limit;
        long last = -1;
        while (DateTime.UtcNow < deadline)
        {
            long written = server.Handle.ReceiveBuffer!.TotalWritten;
            if (written > 0 && written == last && written < sent) return;
            last = written;
            await Task.Delay(50);
        }
        throw new TimeoutException($"the server's window never filled (client {client.Handle.State})");
    }

    [Fact]
    public async Task ALingeringCloseReturnsOnceThePeerHasAcknowledgedEverything()
    {
        var (listener, client, server) = await ConnectAsync(7100);
        using var listening = listener;
        using var accepted = server;
        var data = Pattern(1 << 20, 1);
        var drain = Task.Run(() => ReceiveAll(server, data.Length));
        SetLinger(client, 5);
        SendAll(client, data); // returns once copied into the send ring: most of it is not acknowledged yet
        var watch = Stopwatch.StartNew();
        var outcome = client.TryClose();
        watch.Stop();
        // The peer's TCP had taken in every byte and the FIN by the time close returned.
        long deliveredAtClose = server.Handle.ReceiveBuffer!.TotalWritten;
        var serverStateAtClose = server.Handle.State;
        Assert.Equal(Errno.None, outcome);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"close took {watch.Elapsed}");
        Assert.Equal(data.Length, deliveredAtClose);
        Assert.True((serverStateAtClose & SocketStates.CantReceiveMore) != 0, $"server {serverStateAtClose}");
        Assert.Equal(data, await drain.WaitAsync(Limit));
        Assert.Equal(Errno.EBADF, client.TryClose()); // once only
        client.Dispose(); // and Dispose after it is harmless
    }

    [Fact]
    public async Task AnAsynchronousLingeringCloseWaitsForThePeerToReadAndAcknowledge()
    {
        var (listener, client, server) = await ConnectAsync(7101, serverReceiveBuffer: 16 * 1024);
        using var listening = listener;
        using var accepted = server;
        var data = Pattern(200 * 1024, 2);
        SetLinger(client, 60);
        await client.SendAsync(data).AsTask().WaitAsync(Limit);
        await WaitForFullWindowAsync(client, server, data.Length);
        var close = client.TryCloseAsync().AsTask();
        // The server reads nothing yet, so most of the data cannot be acknowledged: the close must still be waiting.
        await Task.Delay(200);
        Assert.False(close.IsCompleted);
        var drain = Task.Run(() => ReceiveAll(server, data.Length));
        Assert.Equal(Errno.None, await close.WaitAsync(Limit));
        Assert.Equal(data.Length, server.Handle.ReceiveBuffer!.TotalWritten);
        Assert.True((server.Handle.State & SocketStates.CantReceiveMore) != 0);
        Assert.Equal(data, await drain.WaitAsync(Limit));
    }

    /// <summary>
    /// A connection whose server has a 16 KiB window and reads nothing, and a client with SO_LINGER set that has
    /// sent 200 KiB: most of it waits in the client's ring, unacknowledged, once the window is full.
    /// </summary>
    private async Task<(NetKitSocket Listener, NetKitSocket Client, NetKitSocket Server, byte[] Data)> LingeringClientWithFullWindowAsync(
        ushort port, int lingerSeconds, int seed)
    {
        var (listener, client, server) = await ConnectAsync(port, serverReceiveBuffer: 16 * 1024);
        var data = Pattern(200 * 1024, seed);
        SetLinger(client, lingerSeconds);
        SendAll(client, data); // fits the client's send ring; the server never reads, so its window fills
        await WaitForFullWindowAsync(client, server, data.Length);
        return (listener, client, server, data);
    }

    [Fact]
    public async Task ALingerThatRunsOutReturnsAfterItsTimeAndTheConnectionFinishesInTheBackground()
    {
        var (listener, client, server, data) = await LingeringClientWithFullWindowAsync(7102, lingerSeconds: 1, seed: 3);
        using var listening = listener;
        using var accepted = server;
        var watch = Stopwatch.StartNew();
        var outcome = client.TryClose();
        watch.Stop();
        Assert.Equal(Errno.EWOULDBLOCK, outcome); // socket(7)'s "linger timeout has been reached" (BSD soclose's EWOULDBLOCK)
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.9), $"close took only {watch.Elapsed}");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"close took {watch.Elapsed}");
        // Not reset: once the server reads, the rest and the FIN arrive.
        Assert.Equal(data, await Task.Run(() => ReceiveAll(server, data.Length)).WaitAsync(Limit));
        Assert.Equal(0L, _hosts.B.State<TcpStateOf>().Counters[TcpCounter.ResetsReceived]);
        Assert.Equal(0L, _hosts.A.State<TcpStateOf>().Counters[TcpCounter.ResetsSent]);
    }

    [Fact]
    public async Task AnAsynchronousLingerThatRunsOutReturnsAfterItsTime()
    {
        var (listener, client, server, data) = await LingeringClientWithFullWindowAsync(7103, lingerSeconds: 1, seed: 4);
        using var listening = listener;
        using var accepted = server;
        var watch = Stopwatch.StartNew();
        var outcome = await client.TryCloseAsync().AsTask().WaitAsync(Limit);
        watch.Stop();
        Assert.Equal(Errno.EWOULDBLOCK, outcome);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.9), $"close took only {watch.Elapsed}");
        Assert.Equal(data, await Task.Run(() => ReceiveAll(server, data.Length)).WaitAsync(Limit));
    }

    [Fact]
    public async Task AResetWhileLingeringEndsTheWaitWithTheError()
    {
        var (listener, client, server, data) = await LingeringClientWithFullWindowAsync(7104, lingerSeconds: 60, seed: 5);
        using var listening = listener;
        var watch = Stopwatch.StartNew();
        var close = Task.Run(() => client.TryClose());
        // Once the lingering close has shut down sending, the server closes with unread data: a reset.
        var deadline = DateTime.UtcNow + Limit;
        while ((client.Handle.State & SocketStates.CantSendMore) == 0 && DateTime.UtcNow < deadline) await Task.Delay(5);
        server.Dispose();
        Assert.Equal(Errno.ECONNRESET, await close.WaitAsync(Limit));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"close took {watch.Elapsed}");
    }

    [Fact]
    public async Task LingerWithZeroSecondsStillResets()
    {
        var (listener, client, server) = await ConnectAsync(7105);
        using var listening = listener;
        using var accepted = server;
        client.Send(new byte[] { 1, 2, 3 });
        SetLinger(client, 0);
        Assert.Equal(Errno.None, client.TryClose());
        var buffer = new byte[16];
        int total = 0;
        Errno error;
        while ((error = server.TryReceive(buffer, out int n)) == Errno.None && n > 0) total += n; // the bytes may or may not beat the reset
        Assert.Equal(Errno.ECONNRESET, error);
        Assert.True(_hosts.B.State<TcpStateOf>().Counters[TcpCounter.ResetsReceived] >= 1);
    }

    [Fact]
    public async Task ClosingOnAProtocolThreadDoesNotLinger()
    {
        var (listener, client, server, data) = await LingeringClientWithFullWindowAsync(7106, lingerSeconds: 60, seed: 6);
        using var listening = listener;
        using var accepted = server;
        int thread = client.Handle.Home.Port.Owner!.Index;
        var watch = Stopwatch.StartNew();
        var outcome = OnThread.Do(_hosts.ThreadsA, thread, client.TryClose); // a protocol thread never sleeps on a socket
        watch.Stop();
        Assert.Equal(Errno.EWOULDBLOCK, outcome); // closed without knowing the data arrived
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"close took {watch.Elapsed}");
        Assert.Equal(data, await Task.Run(() => ReceiveAll(server, data.Length)).WaitAsync(Limit));
    }

    [Fact]
    public async Task ANonBlockingSocketDoesNotLinger()
    {
        var (listener, client, server, data) = await LingeringClientWithFullWindowAsync(7107, lingerSeconds: 60, seed: 7);
        using var listening = listener;
        using var accepted = server;
        client.Blocking = false;
        var watch = Stopwatch.StartNew();
        Assert.Equal(Errno.EWOULDBLOCK, client.TryClose());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"close took {watch.Elapsed}");
        Assert.Equal(data, await Task.Run(() => ReceiveAll(server, data.Length)).WaitAsync(Limit));
    }

    [Fact]
    public async Task UnreadDataResetsWithoutLingering()
    {
        var (listener, client, server) = await ConnectAsync(7108);
        using var listening = listener;
        using var accepted = server;
        SetLinger(client, 60);
        server.Send(new byte[100]);
        var deadline = DateTime.UtcNow + Limit;
        while (client.Handle.ReceiveBuffer!.ReadableCount < 100 && DateTime.UtcNow < deadline) await Task.Delay(5);
        var watch = Stopwatch.StartNew();
        Assert.Equal(Errno.None, client.TryClose()); // no linger: Linux's tcp_close resets at once
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"close took {watch.Elapsed}");
        Assert.Equal(Errno.ECONNRESET, server.TryReceive(new byte[4], out _));
    }
}
