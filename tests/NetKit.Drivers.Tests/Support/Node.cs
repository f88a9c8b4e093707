using System;
using NetKit.Drivers.Memory;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Threading;
using NetKit.Runtime.Timers;

namespace NetKit.Drivers.Tests.Support;

/// <summary>One host for end-to-end tests: a 2-thread protocol group (unpinned), a stack and its memory interface.</summary>
internal sealed class Node : IDisposable
{
    public Node(MemoryLink link, int number, Func<ProtocolThreadGroup, NetStack> createStack,
        MemoryInterfaceOptions? options = null, NetClock? clock = null, bool start = true, int threads = 2)
    {
        Number = number;
        Threads = new ProtocolThreadGroup(new ProtocolThreadOptions
        {
            ThreadCount = threads,
            PinThreads = false,
            Clock = clock ?? NetClock.Monotonic,
            NamePrefix = $"node{number}",
        });
        Stack = createStack(Threads);
        Interface = new MemoryInterface(link, $"mem{number}", Frames.Mac(number), options);
        Interface.Start(Stack, interfaceIndex: number);
        if (start) Threads.Start();
    }

    public int Number { get; }

    public ProtocolThreadGroup Threads { get; }

    public NetStack Stack { get; }

    public MemoryInterface Interface { get; }

    public byte[] Mac => Frames.Mac(Number);

    public uint Ip => Frames.Ip(Number);

    public void Dispose()
    {
        Interface.Dispose();
        Threads.Dispose();
    }
}
