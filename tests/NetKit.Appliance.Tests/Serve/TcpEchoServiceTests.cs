using System;
using System.Linq;
using System.Security.Cryptography;
using System.Threading.Tasks;
using NetKit.Appliance.Serve;
using Xunit;
using SocketShutdown = System.Net.Sockets.SocketShutdown;

namespace NetKit.Appliance.Tests.Serve;

/// <summary>tcp-echo end to end over the memory link.</summary>
public sealed class TcpEchoServiceTests : IDisposable
{
    private readonly ApplianceOnMemoryLink _appliance = new(new ServiceSpec(ServiceKind.TcpEcho, 7));

    public void Dispose() => _appliance.Dispose();

    [Fact]
    public async Task ASmallMessageComesBack()
    {
        using var client = await _appliance.ConnectAsync(7);
        var message = "hello, appliance"u8.ToArray();
        await client.SendAllAsync(message);
        Assert.Equal(message, await client.ReceiveExactlyAsync(message.Length));
    }

    [Fact]
    public async Task ABulkTransferComesBackWhole_AndTheServerClosesAfterOurFin()
    {
        using var client = await _appliance.ConnectAsync(7);
        var data = RandomNumberGenerator.GetBytes(4 << 20); // more than both rings: the echo waits for our reads
        var send = Task.Run(async () =>
        {
            for (int i = 0; i < data.Length; i += 100_000)
                await client.SendAllAsync(data.AsMemory(i, Math.Min(100_000, data.Length - i)));
            client.Shutdown(SocketShutdown.Send);
        });
        var echoed = await client.ReceiveToEndAsync(); // ends at the server's FIN, sent after the echo
        await send.WaitAsync(ApplianceOnMemoryLink.Limit);
        Assert.Equal(data.Length, echoed.Length);
        Assert.True(data.AsSpan().SequenceEqual(echoed));

        var service = _appliance.Host.Services[0];
        Assert.True(await ApplianceOnMemoryLink.EventuallyAsync(() => service.Counters.BytesOut == data.Length));
        Assert.Equal(data.Length, service.Counters.BytesIn);
        Assert.Equal(1, service.Counters.Connections);
        Assert.Equal(0, service.Counters.Errors);
    }

    [Fact]
    public async Task ConnectionsAreServedConcurrently()
    {
        var clients = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _appliance.ConnectAsync(7)));
        try
        {
            await Task.WhenAll(clients.Select(async (c, i) =>
            {
                var message = RandomNumberGenerator.GetBytes(1000 + i);
                for (int round = 0; round < 10; round++)
                {
                    await c.SendAllAsync(message);
                    Assert.Equal(message, await c.ReceiveExactlyAsync(message.Length));
                }
            }));
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
        Assert.Equal(8, _appliance.Host.Services[0].Counters.Connections);
    }
}
