using System;
using System.Runtime.InteropServices;
using NetKit.Generators.TestProtocols;
using NetKit.Runtime;
using NetKit.Runtime.Sockets;
using Xunit;

namespace NetKit.Generators.Tests.Behaviour;

/// <summary>
/// Generated option marshalling on real protocol threads: typed values round-trip, handlers run on the owner thread
/// (socket level on the caller's), and every size rule of DragonFly's sosetopt/sogetopt yields its errno.
/// </summary>
public sealed unsafe class GeneratedOptionTests : IClassFixture<StackFixture>
{
    private const int Udp = TestTransport.Level;
    private readonly StackFixture _fixture;

    public GeneratedOptionTests(StackFixture fixture) => _fixture = fixture;

    private TestStack Stack => _fixture.Stack;

    private Errno Set<T>(NetSocket socket, int level, int name, T value) where T : unmanaged =>
        Stack.SetSocketOption(socket, level, name, MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)));

    private T Get<T>(NetSocket socket, int level, int name) where T : unmanaged
    {
        Span<byte> buffer = stackalloc byte[64];
        Assert.Equal(Errno.None, Stack.GetSocketOption(socket, level, name, buffer, out int length));
        Assert.Equal(sizeof(T), length);
        return MemoryMarshal.Read<T>(buffer);
    }

    [Fact]
    public void TypedValuesRoundTripThroughTheOwnerThread()
    {
        var socket = _fixture.NewSocket();
        var pcb = TestTransport.Pcb(socket);
        int owner = socket.Home.Port.Owner!.Index;

        Assert.Equal(Errno.None, Set(socket, Udp, TestTransport.OptionCork, 42));
        Assert.Equal(owner, pcb.LastThread);
        Assert.Equal(42, pcb.Cork);
        pcb.LastThread = -1;
        Assert.Equal(42, Get<int>(socket, Udp, TestTransport.OptionCork));
        Assert.Equal(owner, pcb.LastThread);

        Assert.Equal(Errno.None, Set(socket, Udp, TestTransport.OptionChecksum, 0));
        Assert.False(pcb.Checksum);
        Assert.Equal(0, Get<int>(socket, Udp, TestTransport.OptionChecksum));
        Assert.Equal(Errno.None, Set(socket, Udp, TestTransport.OptionChecksum, 5)); // any nonzero C int is true
        Assert.Equal(1, Get<int>(socket, Udp, TestTransport.OptionChecksum));

        Assert.Equal(Errno.None, Set(socket, Udp, TestTransport.OptionMode, TestMode.Loud));
        Assert.Equal(TestMode.Loud, Get<TestMode>(socket, Udp, TestTransport.OptionMode));

        var linger = new TestLinger { OnOff = 1, Seconds = 30 };
        Assert.Equal(Errno.None, Set(socket, Udp, TestTransport.OptionLinger, linger));
        Assert.Equal(linger, Get<TestLinger>(socket, Udp, TestTransport.OptionLinger));
        Assert.Equal(Errno.EINVAL, Set(socket, Udp, TestTransport.OptionLinger, new TestLinger { Seconds = -1 })); // handler's own check

        Span<byte> key = stackalloc byte[TestTransport.KeyLength];
        for (int i = 0; i < key.Length; i++) key[i] = (byte)(i * 7 + 1);
        Assert.Equal(Errno.None, Stack.SetSocketOption(socket, Udp, TestTransport.OptionKey, key));
        Span<byte> keyOut = stackalloc byte[32];
        Assert.Equal(Errno.None, Stack.GetSocketOption(socket, Udp, TestTransport.OptionKey, keyOut, out int keyLength));
        Assert.Equal(TestTransport.KeyLength, keyLength);
        Assert.True(keyOut[..keyLength].SequenceEqual(key));

        Assert.Equal(Errno.None, Set(socket, Udp, TestTransport.OptionOffset, -999L));
        Assert.Equal(-999L, Get<long>(socket, Udp, TestTransport.OptionOffset));
    }

    [Fact]
    public void OptionsOfARequiredProtocolAndTheUntypedHandlerAreReached()
    {
        var socket = _fixture.NewSocket();
        var pcb = TestTransport.Pcb(socket);
        // IPPROTO_IP on a transport socket goes to the network protocol's table (tcp_ctloutput → ip_ctloutput).
        Assert.Equal(Errno.None, Set(socket, SockOptLevel.IP, TestNetwork.OptionTtl, 128));
        Assert.Equal(128, pcb.Ttl);
        Assert.Equal(128, Get<int>(socket, SockOptLevel.IP, TestNetwork.OptionTtl));
        // A name no typed handler claims falls through to the protocol's ControlOutput.
        Assert.Equal(Errno.None, Set(socket, Udp, TestTransport.OptionRaw, 77));
        Assert.Equal(77, pcb.Raw);
        Assert.Equal(77, Get<int>(socket, Udp, TestTransport.OptionRaw));
    }

    [Fact]
    public void SocketLevelOptionsRunInTheCallersContextThenNotifyTheProtocol()
    {
        var socket = _fixture.NewSocket();
        var pcb = TestTransport.Pcb(socket);
        int notifications = pcb.Notifications;

        Assert.Equal(Errno.None, Set(socket, SockOptLevel.Socket, TestSocketOptions.ReuseAddress, 1));
        Assert.True((socket.Options & SocketOptionFlags.ReuseAddress) != 0);
        Assert.Equal(notifications + 1, pcb.Notifications);
        Assert.Equal(TestSocketOptions.ReuseAddress, pcb.LastNotifiedName);
        Assert.Equal(socket.Home.Port.Owner!.Index, pcb.LastThread);
        Assert.Equal(1, Get<int>(socket, SockOptLevel.Socket, TestSocketOptions.ReuseAddress));

        Assert.Equal(Errno.None, Set(socket, SockOptLevel.Socket, TestSocketOptions.ReceiveBuffer, 65536));
        Assert.Equal(65536, socket.ReceiveBufferSize);
        Assert.Equal(65536, Get<int>(socket, SockOptLevel.Socket, TestSocketOptions.ReceiveBuffer));

        // A refused set is not announced.
        int before = pcb.Notifications;
        Assert.Equal(Errno.EINVAL, Set(socket, SockOptLevel.Socket, TestSocketOptions.ReceiveBuffer, 0));
        Assert.Equal(before, pcb.Notifications);
        Assert.Equal(0, TestSocketOptions.RanOnProtocolThread);
    }

    [Fact]
    public void DeclaredRangesAreEnforcedOnSet()
    {
        var socket = _fixture.NewSocket();
        Assert.Equal(Errno.EINVAL, Set(socket, Udp, TestTransport.OptionCork, 101));
        Assert.Equal(Errno.EINVAL, Set(socket, Udp, TestTransport.OptionCork, -1));
        Assert.Equal(Errno.None, Set(socket, Udp, TestTransport.OptionCork, 100));
        Assert.Equal(Errno.EINVAL, Set(socket, Udp, TestTransport.OptionMode, (TestMode)0));
        Assert.Equal(Errno.EINVAL, Set(socket, Udp, TestTransport.OptionMode, (TestMode)4));
        Assert.Equal(Errno.EINVAL, Set(socket, Udp, TestTransport.OptionOffset, 1001L));
        Assert.Equal(Errno.EINVAL, Set(socket, Udp, TestTransport.OptionOffset, -1001L));
        Assert.Equal(Errno.EINVAL, Set(socket, SockOptLevel.IP, TestNetwork.OptionTtl, 0));
        Assert.Equal(Errno.EINVAL, Set(socket, SockOptLevel.IP, TestNetwork.OptionTtl, 256));
        Assert.Equal(100, TestTransport.Pcb(socket).Cork); // refused values never reached the pcb
    }

    [Theory]
    [InlineData(TestTransport.OptionCork, 3)]
    [InlineData(TestTransport.OptionChecksum, 2)]
    [InlineData(TestTransport.OptionMode, 1)]
    [InlineData(TestTransport.OptionLinger, 7)]
    [InlineData(TestTransport.OptionKey, 15)]
    [InlineData(TestTransport.OptionOffset, 7)]
    public void AValueShorterThanItsTypeIsEinval(int name, int size)
    {
        var socket = _fixture.NewSocket();
        Span<byte> value = stackalloc byte[size];
        value.Fill(1);
        Assert.Equal(Errno.EINVAL, Stack.SetSocketOption(socket, Udp, name, value));
    }

    [Fact]
    public void AValueLongerThanItsTypeIsTruncated()
    {
        var socket = _fixture.NewSocket();
        Span<byte> value = stackalloc byte[12];
        value.Clear();
        BitConverter.TryWriteBytes(value, 9);
        value[8] = 0xFF;
        Assert.Equal(Errno.None, Stack.SetSocketOption(socket, Udp, TestTransport.OptionCork, value));
        Assert.Equal(9, TestTransport.Pcb(socket).Cork);
    }

    [Fact]
    public void SetArgumentRulesFollowSetsockopt()
    {
        var socket = _fixture.NewSocket();
        int value = 5;
        Assert.Equal(Errno.EFAULT, Stack.SetSocketOption(socket, Udp, TestTransport.OptionCork, null, 4));
        Assert.Equal(Errno.EINVAL, Stack.SetSocketOption(socket, Udp, TestTransport.OptionCork, (byte*)&value, 0));
        Assert.Equal(Errno.EINVAL, Stack.SetSocketOption(socket, Udp, TestTransport.OptionCork, ReadOnlySpan<byte>.Empty));
        Assert.Equal(Errno.EINVAL, Stack.SetSocketOption(socket, Udp, TestTransport.OptionCork, (byte*)&value, 65537));
        Assert.Equal(Errno.EINVAL, Stack.SetSocketOption(socket, Udp, TestTransport.OptionCork, (byte*)&value, -1));
        Assert.Equal(Errno.EINVAL, Stack.SetSocketOption(socket, Udp, TestTransport.OptionCork, new byte[65537]));
        Assert.Equal(Errno.None, Stack.SetSocketOption(socket, Udp, TestTransport.OptionCork, (byte*)&value, 4));
        Assert.Equal(5, TestTransport.Pcb(socket).Cork);
    }

    [Fact]
    public void GetCopiesTheSmallerOfBufferAndValueAndReportsIt()
    {
        var socket = _fixture.NewSocket();
        Assert.Equal(Errno.None, Set(socket, Udp, TestTransport.OptionOffset, 0x0102L));
        Span<byte> two = stackalloc byte[2];
        Assert.Equal(Errno.None, Stack.GetSocketOption(socket, Udp, TestTransport.OptionOffset, two, out int length));
        Assert.Equal(2, length);
        Assert.Equal(0x02, two[0]);
        Assert.Equal(0x01, two[1]);

        Span<byte> eight = stackalloc byte[8];
        Assert.Equal(Errno.None, Stack.GetSocketOption(socket, Udp, TestTransport.OptionKey, eight, out length));
        Assert.Equal(8, length);

        long raw = 0;
        int size = 8;
        Assert.Equal(Errno.None, Stack.GetSocketOption(socket, Udp, TestTransport.OptionOffset, (byte*)&raw, ref size));
        Assert.Equal(8, size);
        Assert.Equal(0x0102L, raw);
        size = 4;
        Assert.Equal(Errno.EFAULT, Stack.GetSocketOption(socket, Udp, TestTransport.OptionCork, null, ref size));
        size = 65537;
        Assert.Equal(Errno.EINVAL, Stack.GetSocketOption(socket, Udp, TestTransport.OptionCork, (byte*)&raw, ref size));
        size = -1;
        Assert.Equal(Errno.EINVAL, Stack.GetSocketOption(socket, Udp, TestTransport.OptionCork, (byte*)&raw, ref size));
        size = 0;
        Assert.Equal(Errno.None, Stack.GetSocketOption(socket, Udp, TestTransport.OptionCork, null, ref size));
        Assert.Equal(0, size);
    }

    [Fact]
    public void UnknownLevelsAndNamesAreEnoprotoopt()
    {
        var socket = _fixture.NewSocket();
        Span<byte> buffer = stackalloc byte[4];
        Assert.Equal(Errno.ENOPROTOOPT, Set(socket, 200, 1, 1));
        Assert.Equal(Errno.ENOPROTOOPT, Set(socket, Udp, 1234, 1));                     // ControlOutput says no
        Assert.Equal(Errno.ENOPROTOOPT, Set(socket, SockOptLevel.Socket, 1234, 1));
        Assert.Equal(Errno.ENOPROTOOPT, Stack.GetSocketOption(socket, 200, 1, buffer, out int length));
        Assert.Equal(0, length);
        Assert.Equal(Errno.ENOPROTOOPT, Stack.GetSocketOption(socket, SockOptLevel.Socket, 1234, buffer, out _));
        Assert.Equal(Errno.ENOPROTOOPT, Stack.GetSocketOption(socket, SockOptLevel.IP, 99, buffer, out _));
    }
}
