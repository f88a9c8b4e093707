using System;
using System.Security.Cryptography;
using System.Threading.Tasks;
using NetKit.Appliance.Serve;
using NetKit.Runtime;
using Xunit;
using SocketShutdown = System.Net.Sockets.SocketShutdown;

namespace NetKit.Appliance.Tests.Serve;

/// <summary>discard end to end over the memory link.</summary>
public sealed class DiscardServiceTests : IDisposable
{
    private readonly ApplianceOnMemoryLink _appliance = new(new ServiceSpec(ServiceKind.Discard, 9));

    public void Dispose() => _appliance.Dispose();

    [Fact]
    public async Task EveryByteIsCountedAndNothingIsSent()
    {
        var service = _appliance.Host.Services[0];
        long total = 0;
        for (int connection = 0; connection < 3; connection++)
        {
            using var client = await _appliance.ConnectAsync(9);
            var data = RandomNumberGenerator.GetBytes(1_000_000 + connection);
            await client.SendAllAsync(data);
            total += data.Length;
            client.Shutdown(SocketShutdown.Send);
            // The server reads to our FIN and closes without a byte: our read ends at its FIN.
            Assert.Empty(await client.ReceiveToEndAsync());
        }
        Assert.True(await ApplianceOnMemoryLink.EventuallyAsync(() => service.Counters.BytesIn == total), $"counted {service.Counters.BytesIn} of {total}");
        Assert.Equal(0, service.Counters.BytesOut);
        Assert.Equal(3, service.Counters.Connections);
    }

    [Fact]
    public async Task BytesOfAnOpenConnectionAreCountedLive()
    {
        var service = _appliance.Host.Services[0];
        using var client = await _appliance.ConnectAsync(9);
        await client.SendAllAsync(new byte[12_345]);
        Assert.True(await ApplianceOnMemoryLink.EventuallyAsync(() => service.Counters.BytesIn == 12_345));
        Assert.Equal(1, ((TcpService)service).ActiveConnections);
        _appliance.Host.StopServices();
        Assert.Equal(0, ((TcpService)service).ActiveConnections);
        Assert.Equal(12_345, service.Counters.BytesIn); // kept once the connection is gone
        var buffer = new byte[16];
        var error = client.TryReceive(buffer, out int received);
        Assert.True(error is Errno.ECONNRESET or Errno.None && received == 0 || error == Errno.EAGAIN, $"{error} {received}");
    }
}
