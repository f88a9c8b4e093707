using System;
using SocketShutdown = System.Net.Sockets.SocketShutdown;
using System.Security.Cryptography;
using System.Threading.Tasks;
using NetKit.Runtime.Sockets;

namespace NetKit.Protocols.Tests.EndToEnd;

/// <summary>A connected TCP pair over <see cref="TwoHosts"/>: A's client to B's accepted server socket, and a bulk transfer in both directions at once.</summary>
internal sealed class TcpPair : IDisposable
{
    public NetKitSocket Listener { get; }
    public NetKitSocket Client { get; }
    public NetKitSocket Server { get; }

    private TcpPair(NetKitSocket listener, NetKitSocket client, NetKitSocket server)
    {
        Listener = listener;
        Client = client;
        Server = server;
    }

    public static async Task<TcpPair> ConnectAsync(TwoHosts hosts, ushort port, int bufferSize = 0)
    {
        var listener = NetKitSocket.Create(hosts.B, SocketType.Stream);
        if (bufferSize > 0)
        {
            listener.SetOption(SockOptLevel.Socket, SockOptName.ReceiveBuffer, bufferSize);
            listener.SetOption(SockOptLevel.Socket, SockOptName.SendBuffer, bufferSize);
        }
        listener.Bind(SockAddr.IPv4(TwoHosts.AddressB.Value, port));
        listener.Listen();
        var accept = listener.AcceptAsync();
        var client = NetKitSocket.Create(hosts.A, SocketType.Stream);
        if (bufferSize > 0)
        {
            client.SetOption(SockOptLevel.Socket, SockOptName.ReceiveBuffer, bufferSize);
            client.SetOption(SockOptLevel.Socket, SockOptName.SendBuffer, bufferSize);
        }
        await client.ConnectAsync(SockAddr.IPv4(TwoHosts.AddressB.Value, port));
        var server = await accept.AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        return new TcpPair(listener, client, server);
    }

    /// <summary>
    /// Sends <paramref name="bytes"/> of seeded random data each way at once, each side ending with a FIN, and
    /// returns the SHA-256 of what each side sent and received.
    /// </summary>
    public async Task<TransferResult> TransferBothWaysAsync(int bytes, int seed = 1)
    {
        var toServer = Task.Run(() => Pump(Client, bytes, seed));
        var toClient = Task.Run(() => Pump(Server, bytes, seed + 1));
        var atServer = Task.Run(() => Drain(Server));
        var atClient = Task.Run(() => Drain(Client));
        await Task.WhenAll(toServer, toClient, atServer, atClient).ConfigureAwait(false);
        return new TransferResult(await toServer, await atServer, await toClient, await atClient);
    }

    private static (byte[] Hash, long Bytes) Pump(NetKitSocket socket, int bytes, int seed)
    {
        var random = new Random(seed);
        var chunk = new byte[48 * 1024];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long sent = 0;
        while (sent < bytes)
        {
            int n = (int)Math.Min(chunk.Length, bytes - sent);
            random.NextBytes(chunk.AsSpan(0, n));
            hash.AppendData(chunk, 0, n);
            int done = 0;
            while (done < n) done += socket.Send(chunk.AsSpan(done, n - done));
            sent += n;
        }
        socket.Shutdown(SocketShutdown.Send);
        return (hash.GetHashAndReset(), sent);
    }

    private static (byte[] Hash, long Bytes) Drain(NetKitSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long received = 0;
        while (true)
        {
            int n = socket.Receive(buffer);
            if (n == 0) break;
            hash.AppendData(buffer, 0, n);
            received += n;
        }
        return (hash.GetHashAndReset(), received);
    }

    /// <summary>Awaits <paramref name="task"/>; on timeout the exception carries both stacks' connections and counters, so a stall can be diagnosed from a CI log.</summary>
    public static async Task<T> Within<T>(Task<T> task, TwoHosts hosts, TimeSpan limit)
    {
        if (await Task.WhenAny(task, Task.Delay(limit)).ConfigureAwait(false) != task) throw new TimeoutException(Describe(hosts));
        return await task.ConfigureAwait(false);
    }

    public static string Describe(TwoHosts hosts)
    {
        var text = new System.Text.StringBuilder("stalled:");
        foreach (var (name, stack) in new[] { ("A", hosts.A), ("B", hosts.B) })
        {
            var state = stack.State<NetKit.Protocols.Tcp.TcpState>();
            foreach (var table in state.Tables)
                foreach (var pcb in table.Connections())
                    text.Append($"\n{name}: {pcb} max={pcb.SendMax} wnd={pcb.SendWindow} cwnd={pcb.Congestion.CongestionWindow} rto={pcb.Rtt.Rto} snd={pcb.Socket?.SendBuffer?.ReadableCount} rcv={pcb.Socket?.ReceiveBuffer?.ReadableCount}/{pcb.Socket?.ReceiveBuffer?.WritableCount} ooo={pcb.OutOfOrder?.SegmentCount} {pcb.Socket?.State}");
            foreach (var counter in Enum.GetValues<NetKit.Protocols.Tcp.TcpCounter>())
                if (state.Counters[counter] != 0) text.Append($" {name}.{counter}={state.Counters[counter]}");
        }
        text.Append($"\nA rx {hosts.DeviceA.ReceivedFrames} drop {hosts.DeviceA.ReceiveDrops} tx {hosts.DeviceA.TransmittedFrames} drop {hosts.DeviceA.TransmitDrops}");
        text.Append($"; B rx {hosts.DeviceB.ReceivedFrames} drop {hosts.DeviceB.ReceiveDrops} tx {hosts.DeviceB.TransmittedFrames} drop {hosts.DeviceB.TransmitDrops}");
        for (int i = 0; i < hosts.ThreadsA.Count; i++)
            text.Append($"; pool{i} A fail {hosts.ThreadsA[i].Buffers.RentFailures} B fail {hosts.ThreadsB[i].Buffers.RentFailures}");
        return text.ToString();
    }

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
        Listener.Dispose();
    }
}

internal readonly record struct TransferResult(
    (byte[] Hash, long Bytes) SentByClient, (byte[] Hash, long Bytes) ReceivedByServer,
    (byte[] Hash, long Bytes) SentByServer, (byte[] Hash, long Bytes) ReceivedByClient)
{
    public bool Intact =>
        SentByClient.Bytes == ReceivedByServer.Bytes && SentByClient.Hash.AsSpan().SequenceEqual(ReceivedByServer.Hash) &&
        SentByServer.Bytes == ReceivedByClient.Bytes && SentByServer.Hash.AsSpan().SequenceEqual(ReceivedByClient.Hash);

    public override string ToString() =>
        $"client→server {SentByClient.Bytes}→{ReceivedByServer.Bytes}, server→client {SentByServer.Bytes}→{ReceivedByClient.Bytes}, intact {Intact}";
}
