using System;
using System.Net.Sockets;
using NetKit.Runtime.Sockets;
using Xunit;

namespace NetKit.Runtime.Tests.Sockets;

public sealed class SocketErrorsTests
{
    [Theory]
    [InlineData(Errno.None, SocketError.Success)]
    [InlineData(Errno.EAGAIN, SocketError.WouldBlock)]
    [InlineData(Errno.EADDRINUSE, SocketError.AddressAlreadyInUse)]
    [InlineData(Errno.ECONNREFUSED, SocketError.ConnectionRefused)]
    [InlineData(Errno.EMSGSIZE, SocketError.MessageSize)]
    [InlineData(Errno.ENOPROTOOPT, SocketError.ProtocolOption)]
    [InlineData(Errno.EINVAL, SocketError.InvalidArgument)]
    [InlineData(Errno.ENOTCONN, SocketError.NotConnected)]
    [InlineData(Errno.EHOSTUNREACH, SocketError.HostUnreachable)]
    public void ErrnoMapsToTheSocketErrorDotNetReports(Errno error, SocketError expected) =>
        Assert.Equal(expected, error.ToSocketError());

    [Fact]
    public void EveryErrnoHasADescriptionAndAMapping()
    {
        foreach (Errno error in Enum.GetValues<Errno>())
        {
            Assert.False(string.IsNullOrWhiteSpace(error.Describe()));
            _ = error.ToSocketError();
        }
        Assert.Equal(SocketError.SocketError, ((Errno)12345).ToSocketError());
        Assert.Equal("error 12345", ((Errno)12345).Describe());
    }

    [Fact]
    public void TheExceptionSaysWhatFailedAndIsASocketException()
    {
        var exception = Assert.Throws<NetKitSocketException>(() => NetKitSocketException.ThrowIfError(Errno.EADDRINUSE, "bind 10.0.0.1:53"));
        Assert.IsAssignableFrom<SocketException>(exception);
        Assert.Equal(SocketError.AddressAlreadyInUse, exception.SocketErrorCode);
        Assert.Equal(Errno.EADDRINUSE, exception.Errno);
        Assert.Equal("bind 10.0.0.1:53: EADDRINUSE (address already in use)", exception.Message);
        NetKitSocketException.ThrowIfError(Errno.None, "bind");
    }
}
