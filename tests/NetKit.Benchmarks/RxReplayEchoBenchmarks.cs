using System;
using BenchmarkDotNet.Attributes;
using NetKit.Protocols.Udp;
using NetKit.Runtime.Sockets;

namespace NetKit.Benchmarks;

/// <summary>
/// rx replay through the full echo path: Ethernet → IPv4 → UDP → the server socket's run-to-completion echo
/// (<see cref="IDatagramHandler"/>) → UDP → IPv4 → ARP → Ethernet → the sink device, which counts and frees every
/// reply. Nothing but the protocol threads runs. Per operation = one request in, one reply out.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class RxReplayEchoBenchmarks : RxReplayRig
{
    public const int FramesPerInvocation = 32768;

    [Params(1, 2)]
    public int ThreadCount { get; set; }

    private NetKitSocket _socket = null!;

    private sealed class EchoService : IDatagramHandler
    {
        public void OnDatagram(ReadOnlySpan<byte> payload, in DatagramReply reply) => reply.Send(payload);
    }

    [GlobalSetup]
    public void Setup()
    {
        StartStack(ThreadCount);
        LearnClient();
        _socket = NetKitSocket.Create(Stack, SocketType.Datagram);
        _socket.SetDatagramHandler(new EchoService());
        _socket.Bind(SockAddr.IPv4(Server.Value, ServerPort));
        PrepareReplays(FramesPerInvocation / ThreadCount);

        long before = Sink.TransmittedFrames;
        ReplayOnAllThreads();
        long replies = Sink.TransmittedFrames - before;
        if (replies != FramesPerInvocation)
            throw new InvalidOperationException($"echo replay answered {replies} of {FramesPerInvocation} requests (served {Stack.State<UdpState>().Counters[UdpCounter.Served]})");
        ResetCpuTime();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        ReportCpuTime("echo");
        _socket.Dispose();
        Threads.Dispose();
    }

    [Benchmark(OperationsPerInvoke = FramesPerInvocation)]
    public void EthernetToEchoToWire() => ReplayOnAllThreads();
}
