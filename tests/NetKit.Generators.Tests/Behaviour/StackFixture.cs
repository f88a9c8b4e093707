using System;
using NetKit.Generators.TestProtocols;
using NetKit.Runtime;
using NetKit.Runtime.Sockets;
using NetKit.Runtime.Threading;
using Xunit;

namespace NetKit.Generators.Tests.Behaviour;

/// <summary>The generated test stack on two running protocol threads.</summary>
public sealed class StackFixture : IDisposable
{
    public StackFixture()
    {
        Threads = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 2, PinThreads = false }).Start();
        Stack = new TestStack(Threads);
    }

    public ProtocolThreadGroup Threads { get; }

    public TestStack Stack { get; }

    public NetSocket NewSocket()
    {
        Assert.Equal(Errno.None, Stack.CreateSocket(SocketType.Datagram, 0, out var socket));
        return socket!;
    }

    public void Dispose() => Threads.Dispose();
}
