using System;
using System.Threading.Tasks;
using NetKit.Protocols.Tcp;
using NetKit.Runtime;
using NetKit.Runtime.Sockets;
using Xunit;
using TcpStateOf = NetKit.Protocols.Tcp.TcpState;

namespace NetKit.Protocols.Tests.EndToEnd;

/// <summary>IPPROTO_TCP options through the generated tables, and what they do to a connection.</summary>
public sealed class TcpOptionTests : IDisposable
{
    private readonly TwoHosts _hosts = new();

    public void Dispose() => _hosts.Dispose();

    [Fact]
    public void OptionsRoundTripAndRefuseValuesOutOfRange()
    {
        using var socket = NetKitSocket.Create(_hosts.A, SocketType.Stream);
        socket.SetOption(SockOptLevel.Tcp, SockOptName.TcpNoDelay, 1);
        Assert.Equal(1, socket.GetOption<int>(SockOptLevel.Tcp, SockOptName.TcpNoDelay));
        socket.SetOption(SockOptLevel.Tcp, SockOptName.TcpMaxSeg, 1000);
        Assert.Equal(1000, socket.GetOption<int>(SockOptLevel.Tcp, SockOptName.TcpMaxSeg));
        socket.SetOption(SockOptLevel.Tcp, SockOptName.TcpKeepIdle, 30);
        socket.SetOption(SockOptLevel.Tcp, SockOptName.TcpKeepInterval, 5);
        socket.SetOption(SockOptLevel.Tcp, SockOptName.TcpKeepCount, 3);
        Assert.Equal(30, socket.GetOption<int>(SockOptLevel.Tcp, SockOptName.TcpKeepIdle));
        Assert.Equal(5, socket.GetOption<int>(SockOptLevel.Tcp, SockOptName.TcpKeepInterval));
        Assert.Equal(3, socket.GetOption<int>(SockOptLevel.Tcp, SockOptName.TcpKeepCount));

        Assert.Equal(Errno.EINVAL, socket.TrySetOption(SockOptLevel.Tcp, SockOptName.TcpMaxSeg, BitConverter.GetBytes(20)));
        Assert.Equal(Errno.EINVAL, socket.TrySetOption(SockOptLevel.Tcp, SockOptName.TcpKeepCount, BitConverter.GetBytes(0)));
        Assert.Equal(Errno.EINVAL, socket.TrySetOption(SockOptLevel.Tcp, SockOptName.TcpKeepIdle, new byte[2])); // too short
        Assert.Equal(Errno.ENOPROTOOPT, socket.TrySetOption(SockOptLevel.Tcp, 99, BitConverter.GetBytes(1)));
        socket.SetOption(SockOptLevel.IP, SockOptName.IPTtl, 7); // IP options reach TCP sockets too
        Assert.Equal(7, socket.GetOption<int>(SockOptLevel.IP, SockOptName.IPTtl));
    }

    [Fact]
    public async Task MaxSegCapsTheSegmentsThePeerSends()
    {
        using var listener = NetKitSocket.Create(_hosts.B, SocketType.Stream);
        listener.Bind(SockAddr.IPv4(TwoHosts.AddressB.Value, 80));
        listener.Listen();
        using var client = NetKitSocket.Create(_hosts.A, SocketType.Stream);
        client.SetOption(SockOptLevel.Tcp, SockOptName.TcpMaxSeg, 600);
        client.Connect(SockAddr.IPv4(TwoHosts.AddressB.Value, 80));
        using var server = await listener.AcceptAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        // The server's send MSS is the client's 600 less the 12-byte timestamp option.
        Assert.Equal(588, server.GetOption<int>(SockOptLevel.Tcp, SockOptName.TcpMaxSeg));
        Assert.Equal(588, client.GetOption<int>(SockOptLevel.Tcp, SockOptName.TcpMaxSeg)); // and caps our own, as in Linux
    }

    [Fact]
    public async Task KeepaliveDropsAConnectionWhosePeerVanished()
    {
        using var listener = NetKitSocket.Create(_hosts.B, SocketType.Stream);
        listener.Bind(SockAddr.IPv4(TwoHosts.AddressB.Value, 81));
        listener.Listen();
        using var client = NetKitSocket.Create(_hosts.A, SocketType.Stream);
        client.SetOption(SockOptLevel.Socket, SockOptName.KeepAlive, 1);
        client.SetOption(SockOptLevel.Tcp, SockOptName.TcpKeepIdle, 1);
        client.SetOption(SockOptLevel.Tcp, SockOptName.TcpKeepInterval, 1);
        client.SetOption(SockOptLevel.Tcp, SockOptName.TcpKeepCount, 2);
        client.Connect(SockAddr.IPv4(TwoHosts.AddressB.Value, 81));
        using var server = await listener.AcceptAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        _hosts.DeviceB.AdminUp = false; // the peer vanishes without a word
        var started = DateTime.UtcNow;
        Assert.Equal(Errno.ETIMEDOUT, client.TryReceive(new byte[4], out _));
        Assert.InRange((DateTime.UtcNow - started).TotalSeconds, 2, 30); // idle 1 s, then 2 unanswered probes 1 s apart
        Assert.True(_hosts.A.State<TcpStateOf>().Counters[TcpCounter.KeepaliveProbes] >= 2);
    }
}
