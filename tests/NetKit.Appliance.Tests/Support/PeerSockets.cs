using System;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using NetKit.Appliance.LinuxPeer;

namespace NetKit.Appliance.Tests.Support;

/// <summary>The test's own Linux (kernel) sockets inside a peer namespace, made there with setns and used from here.</summary>
public static class PeerSockets
{
    /// <summary>A TCP connection from <paramref name="ns"/> to <paramref name="address"/>:<paramref name="port"/>.</summary>
    public static async Task<Socket> ConnectAsync(PeerNamespace ns, string address, int port, TimeSpan timeout)
    {
        var socket = await ns.CreateSocketAsync(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var cancel = new CancellationTokenSource(timeout);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(address), port), cancel.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends <paramref name="data"/> then half-closes, while reading until the peer's FIN; returns the byte count and
    /// SHA-256 of what came back. Throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<(long Received, string Sha256)> ExchangeAsync(Socket socket, ReadOnlyMemory<byte> data, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var send = Task.Run(async () =>
        {
            for (int sent = 0; sent < data.Length;)
                sent += await socket.SendAsync(data[sent..], SocketFlags.None, cancel.Token);
            socket.Shutdown(SocketShutdown.Send);
        });
        var receive = Task.Run(async () =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            long total = 0;
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
                if (n == 0) break;
                hash.AppendData(buffer, 0, n);
                total += n;
            }
            return (total, Convert.ToHexString(hash.GetHashAndReset()));
        });
        try
        {
            await Task.WhenAll(send, receive);
        }
        catch (OperationCanceledException e)
        {
            throw new TimeoutException($"the exchange did not finish within {timeout.TotalSeconds} s (sent: {send.Status}, received: {receive.Status})", e);
        }
        return await receive;
    }

    /// <summary>Seeded random bytes.</summary>
    public static byte[] RandomBytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
