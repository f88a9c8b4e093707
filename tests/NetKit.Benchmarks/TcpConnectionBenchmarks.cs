using System;
using System.Threading;
using System.Threading.Tasks;
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
/// thread) to a NetKit server stack on 1 or 2 protocol threads over the memory link, with 1 or 32 connections in
/// flight (async client and server; the server accepts in a loop and serves each connection on its own task).
/// The server's protocol threads read their CPU clocks before and after, so the log also carries the server's CPU
/// time per connection (<c>tcp-conn-cpu</c>). TIME_WAIT is shortened to 1 ms on both stacks so the tables stay small.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class TcpConnectionBenchmarks
{
    [Params(1, 2)]
    public int ServerThreads { get; set; }

    /// <summary>Server threads' idle spin before parking: 256 (default, lower latency) or 0, where their CPU clock then counts work and wake-ups only.</summary>
    [Params(0, 256)]
    public int ServerSpin { get; set; }

    /// <summary>Connections in flight at once: 1 (each server thread wakes for every segment) or 32 (batches form).</summary>
    [Params(1, 32)]
    public int Concurrency { get; set; }

    /// <summary>Connections per benchmark invocation.</summary>
    private const int ConnectionsPerInvoke = 64;

    private ProtocolThreadGroup _client = null!, _server = null!;
    private MemoryInterface _deviceA = null!, _deviceB = null!;
    private InetStack _clientStack = null!;
    private NetKitSocket _listener = null!;
    private Task _acceptor = null!;
    private readonly CancellationTokenSource _stop = new();
    private SockAddr _address;
    private readonly byte[] _request = new byte[64];
    private long[] _cpuStart = [];
    private long _connections;
    private int _remaining;

    private sealed unsafe class ReadCpu : NetMsg
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
        _acceptor = Task.Run(ServeAsync);
        OpenRequestClose().GetAwaiter().GetResult();
        _cpuStart = ReadServerCpu();
        _connections = 0;
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            NetKitSocket connection;
            try { connection = await _listener.AcceptAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (NetKitSocketException) { return; }
            _ = ServeOneAsync(connection);
        }
    }

    private static async Task ServeOneAsync(NetKitSocket connection)
    {
        using (connection)
        {
            var buffer = new byte[64];
            int n = 0;
            try
            {
                while (n < 64)
                {
                    int got = await connection.ReceiveAsync(buffer.AsMemory(n));
                    if (got == 0) break;
                    n += got;
                }
                if (n == 64) await connection.SendAsync(buffer);
            }
            catch (NetKitSocketException) { }
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

    [Benchmark(OperationsPerInvoke = ConnectionsPerInvoke)]
    public async Task OpenRequestClose()
    {
        _remaining = ConnectionsPerInvoke;
        var workers = new Task[Concurrency];
        for (int i = 0; i < workers.Length; i++) workers[i] = Client();
        await Task.WhenAll(workers);
    }

    private async Task Client()
    {
        var reply = new byte[64];
        while (Interlocked.Decrement(ref _remaining) >= 0)
        {
            using var socket = NetKitSocket.Create(_clientStack, SocketType.Stream);
            await socket.ConnectAsync(_address);
            await socket.SendAsync(_request);
            int n = 0;
            while (n < 64)
            {
                int got = await socket.ReceiveAsync(reply.AsMemory(n));
                if (got == 0) break;
                n += got;
            }
            if (n != 64) throw new InvalidOperationException($"reply of {n} bytes");
            Interlocked.Increment(ref _connections);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var end = ReadServerCpu();
        long cpu = 0;
        for (int i = 0; i < end.Length; i++) cpu += end[i] - _cpuStart[i];
        if (_connections > 0)
            Console.WriteLine($"// tcp-conn-cpu server-threads={ServerThreads} spin={ServerSpin} concurrency={Concurrency} connections={_connections} server-cpu-us-per-connection={cpu / 1000.0 / _connections:F2}");
        _stop.Cancel();
        _listener.Dispose();
        _acceptor.Wait(2000);
        _deviceA.Dispose();
        _deviceB.Dispose();
        _client.Dispose();
        _server.Dispose();
    }
}
