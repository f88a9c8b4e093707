using System;
using System.Threading;
using System.Threading.Tasks;
using NetKit.Runtime;
using NetKit.Runtime.Sockets;
using Xunit;

namespace NetKit.Protocols.Tests.EndToEnd;

/// <summary>The asynchronous socket forms: ValueTask sends and receives, cancellation, errors as exceptions.</summary>
public sealed class UdpAsyncTests : IDisposable
{
    private readonly TwoHosts _hosts = new();

    public void Dispose() => _hosts.Dispose();

    [Fact]
    public async Task AsyncSendsAndReceivesCarryDatagramsBothWays()
    {
        using var server = NetKitSocket.Create(_hosts.B, SocketType.Datagram);
        server.Bind(SockAddr.IPv4(TwoHosts.AddressB.Value, 7));
        using var client = NetKitSocket.Create(_hosts.A, SocketType.Datagram);
        client.Connect(SockAddr.IPv4(TwoHosts.AddressB.Value, 7));

        var serverBuffer = new byte[64];
        var pending = server.ReceiveFromAsync(serverBuffer); // waits: nothing sent yet
        Assert.Equal(5, await client.SendAsync(new byte[] { 1, 2, 3, 4, 5 }));
        var request = await pending.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(5, request.Received);
        Assert.False(request.Truncated);
        Assert.Equal(client.LocalEndPoint, request.Source);

        Assert.Equal(3, await server.SendToAsync(new byte[] { 9, 8, 7 }, request.Source));
        var clientBuffer = new byte[2];
        int received = await client.ReceiveAsync(clientBuffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, received); // truncated to the buffer, the rest discarded
        Assert.Equal(new byte[] { 9, 8 }, clientBuffer);
    }

    [Fact]
    public async Task CancellingAPendingReceiveEndsItWithoutLosingTheNextDatagram()
    {
        using var server = NetKitSocket.Create(_hosts.B, SocketType.Datagram);
        server.Bind(SockAddr.IPv4(TwoHosts.AddressB.Value, 9));
        using var cancel = new CancellationTokenSource();
        var pending = server.ReceiveFromAsync(new byte[16], cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);

        using var client = NetKitSocket.Create(_hosts.A, SocketType.Datagram);
        await client.SendToAsync(new byte[] { 42 }, SockAddr.IPv4(TwoHosts.AddressB.Value, 9));
        var buffer = new byte[16];
        var result = await server.ReceiveFromAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, result.Received);
        Assert.Equal(42, buffer[0]);
    }

    [Fact]
    public async Task AsyncErrorsSurfaceAsSocketExceptionsWithTheErrno()
    {
        using var socket = NetKitSocket.Create(_hosts.A, SocketType.Datagram);
        var error = await Assert.ThrowsAsync<NetKitSocketException>(async () => await socket.SendAsync(new byte[1]));
        Assert.Equal(Errno.EDESTADDRREQ, error.Errno);
        socket.Dispose();
        error = await Assert.ThrowsAsync<NetKitSocketException>(async () => await socket.ReceiveFromAsync(new byte[1]));
        Assert.Equal(Errno.EBADF, error.Errno);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        using var other = NetKitSocket.Create(_hosts.A, SocketType.Datagram);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await other.SendToAsync(new byte[1], SockAddr.IPv4(TwoHosts.AddressB.Value, 9), cancelled.Token));
    }
}
