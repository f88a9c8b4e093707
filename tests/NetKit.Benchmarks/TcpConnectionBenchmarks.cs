using System;
using System.Threading;
using BenchmarkDotNet.Attributes;
using NetKit.Drivers.Impairments;
using NetKit.Drivers.Memory;
using NetKit.Protocols.Interfaces;
using NetKit.Protocols.Stacks;
using NetKit.Protocols.Wire;
using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Sockets;
using NetKit.Runtime.Threading;
using TcpState = NetKit.Protocols.Tcp.TcpState;

namespace NetKit.Benchmarks;

/// <summary>
/// Connections per second: open, one 64-byte request and its 64-byte reply, close — NetKit client stack (1 protocol
/// thread) to a NetKit server stack on 1 or 2 protocol threads over the memory link, one connection at a time.
/// The server's protocol threads read their CPU clocks before and after, so the log also carries the server's CPU
/// time per connection (<c>tcp-conn-cpu</c>). TIME_WAIT is shortened to 1 ms on both stacks so the tables stay small.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public unsafe class TcpConnectionBenchmarks
{
    [Params(1, 2)]
    public int ServerThreads { get; set; }

    /// <summary>Server threads' idle spin before parking: 256 (default, lower latency) or 0, where their CPU clock then counts work and wake-ups only.</summary>
    [Params(0, 256)]
    public int ServerSpin { get; set; }

    private ProtocolThreadGroup _client = null!, _server = null!;
    private MemoryInterface _deviceA = null!, _deviceB = null!;
    private InetStack _clientStack = null!;
    private NetKitSocket _listener = null!;
    private Thread _acceptor = null!;
    private volatile bool _stop;
    private SockAddr _address;
    private readonly byte[] _request = new byte[64];
    private readonly byte[] _reply = new byte[64];
    private long[] _cpuStart = [];
    private long _connections;

    private sealed class ReadCpu : NetMsg
    {
        public ReadCpu() : base(&Run) { }
        public long Nanoseconds;
        private static void Run(NetMsg message)
        {
            ((ReadCpu)message).Nanoseconds = CpuClock.CurrentThreadNanoseconds();
            message.Reply();
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        var cpus = CpuAffinity.AllowedCpus();
        var link = new MemoryLink();
        _client = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1, Cpus = [cpus[0]], NamePrefix = "client" }).Start();
        _server = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = ServerThreads, Cpus = ServerThreads == 1 ? [cpus[^1]] : null, NamePrefix = "server", SpinIterations = ServerSpin }).Start();
        _clientStack = new InetStack(_client);
        var serverStack = new InetStack(_server);
        _clientStack.State<TcpState>().TimeWaitMicros = 1_000;
        serverStack.State<TcpState>().TimeWaitMicros = 1_000;
        _deviceA = new MemoryInterface(link, "a0", new byte[] { 2, 0, 0, 0, 0, 1 }, new MemoryInterfaceOptions { Impairments = ImpairmentOptions.None });
        _deviceB = new MemoryInterface(link, "b0", new byte[] { 2, 0, 0, 0, 0, 2 }, new MemoryInterfaceOptions { Impairments = ImpairmentOptions.None });
        _clientStack.AddInterface(_deviceA, new InterfaceConfiguration(IPv4Address.Parse("10.0.0.1"), 24));
        serverStack.AddInterface(_deviceB, new InterfaceConfiguration(IPv4Address.Parse("10.0.0.2"), 24));
        _address = SockAddr.IPv4(IPv4Address.Parse("10.0.0.2").Value, 80);
        _listener = NetKitSocket.Create(serverStack, SocketType.Stream);
        _listener.Bind(_address);
        _listener.Listen(1024);
        _acceptor = new Thread(Serve) { IsBackground = true, Name = "acceptor" };
        _acceptor.Start();
        OpenRequestClose();
        _cpuStart = ReadServerCpu();
        _connections = 0;
    }

    private void Serve()
    {
        var buffer = new byte[64];
        while (!_stop)
        {
            if (_listener.TryAccept(out var connection) != NetKit.Runtime.Errno.None) continue;
            using (connection!)
            {
                int n = 0;
                while (n < 64)
                {
                    if (connection!.TryReceive(buffer.AsSpan(n), out int got) != NetKit.Runtime.Errno.None || got == 0) break;
                    n += got;
                }
                if (n == 64) connection!.TrySend(buffer, out _);
            }
        }
    }

    private long[] ReadServerCpu()
    {
        var values = new long[_server.Count];
        for (int i = 0; i < values.Length; i++)
        {
            var message = new ReadCpu();
            _server[i].Port.Do(message);
            values[i] = message.Nanoseconds;
        }
        return values;
    }

    [Benchmark]
    public int OpenRequestClose()
    {
        using var socket = NetKitSocket.Create(_clientStack, SocketType.Stream);
        socket.Connect(_address);
        socket.Send(_request);
        int n = 0;
        while (n < 64)
        {
            int got = socket.Receive(_reply.AsSpan(n));
            if (got == 0) break;
            n += got;
        }
        _connections++;
        return n;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var end = ReadServerCpu();
        long cpu = 0;
        for (int i = 0; i < end.Length; i++) cpu += end[i] - _cpuStart[i];
        if (_connections > 0)
            Console.WriteLine($"// tcp-conn-cpu server-threads={ServerThreads} spin={ServerSpin} connections={_connections} server-cpu-us-per-connection={cpu / 1000.0 / _connections:F2}");
        _stop = true;
        _listener.Dispose();
        _acceptor.Join(2000);
        _deviceA.Dispose();
        _deviceB.Dispose();
        _client.Dispose();
        _server.Dispose();
    }
}
