using System;
using BenchmarkDotNet.Attributes;
using NetKit.Runtime.Sockets;

namespace NetKit.Benchmarks;

/// <summary>
/// rx replay, Ethernet → IPv4 → UDP → socket ring → application buffer, for an unconnected server (the DNS case):
/// every frame becomes a record in the thread's own lane of the server's receive queue, and a reader on the same
/// CPU (<c>TryReadFrom</c> its lane, every 32 frames) copies it out, so the ring stays cache-hot as it does under a
/// live reader and no extra thread competes for the 2 cores. Per operation = one datagram from frame to application
/// buffer; 32768 per invocation split over the threads, so the 1-thread/2-thread time ratio is the throughput scaling.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class RxReplayBenchmarks : RxReplayRig
{
    public const int FramesPerInvocation = 32768;

    [Params(1, 2)]
    public int ThreadCount { get; set; }

    private NetKitSocket _socket = null!;

    [GlobalSetup]
    public void Setup()
    {
        StartStack(ThreadCount);
        _socket = NetKitSocket.Create(Stack, SocketType.Datagram);
        _socket.SetOption(SockOptLevel.Socket, SockOptName.ReceiveBuffer, 1 << 20);
        _socket.Bind(SockAddr.IPv4(Server.Value, ServerPort));
        PrepareReplays(FramesPerInvocation / ThreadCount);
        ReadOwnLanes(_socket.Handle.Datagrams!);

        // The figure is only meaningful if every frame really reaches the application.
        ReplayOnAllThreads();
        long consumed = Consumed();
        if (consumed != FramesPerInvocation || _socket.ReceiveDrops != 0)
            throw new InvalidOperationException($"rx replay delivered {consumed} of {FramesPerInvocation} datagrams ({_socket.ReceiveDrops} dropped)");
        ResetCpuTime();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        ReportCpuTime("socket-ring");
        _socket.Dispose();
        Threads.Dispose();
    }

    [Benchmark(OperationsPerInvoke = FramesPerInvocation)]
    public void EthernetToSocketRingToApplication() => ReplayOnAllThreads();
}
