using System;
using System.Buffers;
using System.IO;
using System.Security.Cryptography;
using System.Threading.Tasks;
using NetKit.Runtime.Sockets;
using Xunit;

namespace NetKit.Protocols.Tests.EndToEnd;

/// <summary>The Stream and IDuplexPipe adapters over TCP sockets.</summary>
public sealed class TcpAdapterTests : IDisposable
{
    private readonly TwoHosts _hosts = new();

    public void Dispose() => _hosts.Dispose();

    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AStreamCarriesDataAndEndsAtTheFin()
    {
        using var pair = await TcpPair.ConnectAsync(_hosts, 7100).WaitAsync(Limit);
        var data = RandomNumberGenerator.GetBytes(300_000);
        var writer = Task.Run(async () =>
        {
            await using var stream = new NetKitStream(pair.Client, ownsSocket: false);
            await stream.WriteAsync(data);
        }); // disposing the stream sends FIN
        using var reader = new NetKitStream(pair.Server, ownsSocket: false);
        using var copy = new MemoryStream();
        await reader.CopyToAsync(copy).WaitAsync(Limit);
        await writer.WaitAsync(Limit);
        Assert.Equal(data, copy.ToArray());
        Assert.Throws<NotSupportedException>(() => reader.Length);
    }

    [Fact]
    public async Task ADuplexPipeEchoesWithBackPressure()
    {
        using var pair = await TcpPair.ConnectAsync(_hosts, 7101).WaitAsync(Limit);
        var server = new NetKitDuplexPipe(pair.Server);
        var echo = Task.Run(async () =>
        {
            while (true)
            {
                var read = await server.Input.ReadAsync();
                foreach (var segment in read.Buffer) await server.Output.WriteAsync(segment);
                server.Input.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted) break;
            }
            await server.DisposeAsync();
        });
        var client = new NetKitDuplexPipe(pair.Client);
        var data = RandomNumberGenerator.GetBytes(2 << 20); // larger than both rings: the echo must wait for the reader
        var send = Task.Run(async () =>
        {
            for (int i = 0; i < data.Length; i += 100_000)
                await client.Output.WriteAsync(data.AsMemory(i, Math.Min(100_000, data.Length - i)));
            await client.Output.CompleteAsync(); // FIN
        });
        using var received = new MemoryStream();
        while (true)
        {
            var read = await client.Input.ReadAsync().AsTask().WaitAsync(Limit);
            foreach (var segment in read.Buffer) received.Write(segment.Span);
            client.Input.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted) break;
        }
        await Task.WhenAll(send, echo).WaitAsync(Limit);
        Assert.Equal(data, received.ToArray());
    }
}
