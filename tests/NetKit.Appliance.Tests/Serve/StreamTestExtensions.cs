using System;
using System.IO;
using System.Threading.Tasks;
using NetKit.Runtime.Sockets;

namespace NetKit.Appliance.Tests.Serve;

/// <summary>Client-side helpers over a connected <see cref="NetKitSocket"/>.</summary>
internal static class StreamTestExtensions
{
    /// <summary>Sends all of <paramref name="data"/>.</summary>
    public static async Task SendAllAsync(this NetKitSocket socket, ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty) data = data[await socket.SendAsync(data).AsTask().WaitAsync(ApplianceOnMemoryLink.Limit)..];
    }

    /// <summary>Receives exactly <paramref name="count"/> bytes (fails at an early end of stream).</summary>
    public static async Task<byte[]> ReceiveExactlyAsync(this NetKitSocket socket, int count)
    {
        var data = new byte[count];
        int have = 0;
        while (have < count)
        {
            int n = await socket.ReceiveAsync(data.AsMemory(have)).AsTask().WaitAsync(ApplianceOnMemoryLink.Limit);
            if (n == 0) throw new EndOfStreamException($"end of stream after {have} of {count} bytes");
            have += n;
        }
        return data;
    }

    /// <summary>Receives until the peer's FIN; returns what came.</summary>
    public static async Task<byte[]> ReceiveToEndAsync(this NetKitSocket socket)
    {
        using var all = new MemoryStream();
        var buffer = new byte[65536];
        while (true)
        {
            int n = await socket.ReceiveAsync(buffer).AsTask().WaitAsync(ApplianceOnMemoryLink.Limit);
            if (n == 0) return all.ToArray();
            all.Write(buffer, 0, n);
        }
    }
}
