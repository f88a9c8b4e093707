using System;
using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using NetKit.Protocols.Stacks;
using NetKit.Protocols.Wire;
using NetKit.Runtime.Sockets;

namespace NetKit.Appliance.Tour;

/// <summary>
/// One HTTP/1.1 GET over a <see cref="NetKitSocket"/>, the NetKit client's curl: the body is hashed as it arrives
/// (never held whole) and timed from before the connect to its last byte, as curl's <c>time_total</c> is.
/// </summary>
public static class NetKitHttpGet
{
    private const int MaxHead = 16 * 1024;

    public static async Task<HttpResult> RunAsync(InetStack stack, IPv4Address server, ushort port, string target, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        using var socket = NetKitSocket.Create(stack, SocketType.Stream);
        await socket.ConnectAsync(SockAddr.IPv4(server.Value, port)).AsTask().WaitAsync(limit).ConfigureAwait(false);
        var request = Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: {server}\r\nConnection: close\r\n\r\n");
        await NetKitClient.SendAllAsync(socket, request, limit).ConfigureAwait(false);

        var buffer = new byte[256 * 1024];
        int have = 0, headEnd;
        while ((headEnd = buffer.AsSpan(0, have).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (have >= MaxHead) throw new TourStepException($"no end of the response head in {MaxHead} bytes");
            int n = await socket.ReceiveAsync(buffer.AsMemory(have)).AsTask().WaitAsync(limit).ConfigureAwait(false);
            if (n == 0) throw new TourStepException("the connection closed before a response head");
            have += n;
        }
        var (status, length) = ParseHead(buffer.AsSpan(0, headEnd));

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        int start = headEnd + 4;
        long received = Math.Min(have - start, length);
        hash.AppendData(buffer, start, (int)received);
        while (received < length)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length - received))).AsTask().WaitAsync(limit).ConfigureAwait(false);
            if (n == 0) throw new TourStepException($"the connection closed after {received} of {length} body bytes");
            hash.AppendData(buffer, 0, n);
            received += n;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        return new HttpResult(status, received, hash.GetHashAndReset(), seconds);
    }

    // The status code and Content-Length of a head (the appliance always sends a Content-Length).
    private static (int Status, long Length) ParseHead(ReadOnlySpan<byte> head)
    {
        int lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = lineEnd < 0 ? head : head[..lineEnd];
        if (!statusLine.StartsWith("HTTP/1."u8) || statusLine.Length < 12 || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out _))
            throw new TourStepException($"bad status line '{Encoding.ASCII.GetString(statusLine)}'");
        var rest = lineEnd < 0 ? default : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            int end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 2)..];
            int colon = line.IndexOf((byte)':');
            if (colon < 0 || !Ascii.EqualsIgnoreCase(line[..colon], "Content-Length"u8)) continue;
            if (Utf8Parser.TryParse(line[(colon + 1)..].Trim((byte)' '), out long length, out int used) && length >= 0 &&
                used == line[(colon + 1)..].Trim((byte)' ').Length)
                return (status, length);
            break;
        }
        throw new TourStepException("no valid Content-Length in the response head");
    }
}
