using System;
using System.Net;
using System.Threading;
using BenchmarkDotNet.Attributes;
using NetKit.Drivers.Impairments;
using NetKit.Drivers.Memory;
using NetKit.Protocols.Interfaces;
using NetKit.Protocols.Stacks;
using NetKit.Protocols.Wire;
using NetKit.Runtime.Sockets;
using NetKit.Runtime.Threading;

namespace NetKit.Benchmarks;

/// <summary>
/// Bulk TCP, one stream, NetKit ↔ NetKit over the memory link (one protocol thread per stack, on different CPUs),
/// against Linux TCP over loopback with <see cref="System.Net.Sockets.Socket"/> in the same run. Per operation =
/// 1 MiB from the sending application's buffer to the receiving application's buffer; 32 MiB per invocation.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class TcpBulkBenchmarks
{
    private const int MiB = 1 << 20;
    private const int PerInvocation = 32;

    [Params(1500, 65535)]
    public int Mtu { get; set; }

    /// <summary>Protocol threads pinned one per vCPU, or left to the scheduler with the two application threads.</summary>
    [Params(true, false)]
    public bool Pinned { get; set; }

    private ProtocolThreadGroup _threadsA = null!, _threadsB = null!;
    private MemoryInterface _deviceA = null!, _deviceB = null!;
    private NetKitSocket _listener = null!, _client = null!, _server = null!;
    private Thread _receiver = null!;
    private long _received;
    private volatile bool _stop;
    private readonly byte[] _chunk = new byte[256 * 1024];

    private System.Net.Sockets.Socket _linuxListener = null!, _linuxClient = null!, _linuxServer = null!;
    private Thread _linuxReceiver = null!;
    private long _linuxReceived;

    [GlobalSetup]
    public void Setup()
    {
        var cpus = CpuAffinity.AllowedCpus();
        var link = new MemoryLink();
        _threadsA = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1, Cpus = [cpus[0]], NamePrefix = "hostA", PinThreads = Pinned }).Start();
        _threadsB = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1, Cpus = [cpus[^1]], NamePrefix = "hostB", PinThreads = Pinned }).Start();
        var a = new InetStack(_threadsA);
        var b = new InetStack(_threadsB);
        _deviceA = new MemoryInterface(link, "a0", new byte[] { 2, 0, 0, 0, 0, 1 }, new MemoryInterfaceOptions { Mtu = Mtu, Impairments = ImpairmentOptions.None });
        _deviceB = new MemoryInterface(link, "b0", new byte[] { 2, 0, 0, 0, 0, 2 }, new MemoryInterfaceOptions { Mtu = Mtu, Impairments = ImpairmentOptions.None });
        a.AddInterface(_deviceA, new InterfaceConfiguration(IPv4Address.Parse("10.0.0.1"), 24, Mtu: Mtu));
        b.AddInterface(_deviceB, new InterfaceConfiguration(IPv4Address.Parse("10.0.0.2"), 24, Mtu: Mtu));
        var serverAddress = SockAddr.IPv4(IPv4Address.Parse("10.0.0.2").Value, 5001);
        _listener = NetKitSocket.Create(b, SocketType.Stream);
        _listener.SetOption(SockOptLevel.Socket, SockOptName.ReceiveBuffer, 4 * MiB);
        _listener.Bind(serverAddress);
        _listener.Listen();
        _client = NetKitSocket.Create(a, SocketType.Stream);
        _client.SetOption(SockOptLevel.Socket, SockOptName.SendBuffer, 4 * MiB);
        _client.Connect(serverAddress);
        _server = _listener.Accept();
        _receiver = new Thread(() => Drain(buffer => _server.Receive(buffer), ref _received)) { IsBackground = true, Name = "receiver" };
        _receiver.Start();

        _linuxListener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        _linuxListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _linuxListener.Listen();
        _linuxClient = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        _linuxClient.Connect(_linuxListener.LocalEndPoint!);
        _linuxServer = _linuxListener.Accept();
        _linuxReceiver = new Thread(() => Drain(buffer => _linuxServer.Receive(buffer), ref _linuxReceived)) { IsBackground = true, Name = "linux-receiver" };
        _linuxReceiver.Start();

        // Prove both paths move data before measuring.
        NetKitMiB();
        LinuxLoopbackMiB();
    }

    private delegate int Receive(Span<byte> buffer);

    private void Drain(Receive receive, ref long counter)
    {
        // Not pinned: with two protocol threads pinned one per vCPU, a receiver pinned beside one of them would only
        // fight it for that core; the scheduler places it better (the Linux baseline's receiver is treated the same).
        var buffer = new byte[256 * 1024];
        while (!_stop)
        {
            int n;
            try { n = receive(buffer); }
            catch (Exception) { return; }
            if (n <= 0) return;
            Interlocked.Add(ref counter, n);
        }
    }

    private static void SendAll(Func<ReadOnlyMemory<byte>, int> send, byte[] chunk, long bytes)
    {
        long sent = 0;
        while (sent < bytes)
        {
            int n = (int)Math.Min(chunk.Length, bytes - sent);
            int done = 0;
            while (done < n) done += send(chunk.AsMemory(done, n - done));
            sent += n;
        }
    }

    private static void WaitFor(ref long counter, long target)
    {
        var spinner = new SpinWait();
        while (Volatile.Read(ref counter) < target) spinner.SpinOnce(sleep1Threshold: 1);
    }

    /// <summary>Linux TCP over loopback, same application pattern (baseline).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = PerInvocation)]
    public void LinuxLoopbackMiB()
    {
        long target = Volatile.Read(ref _linuxReceived) + PerInvocation * (long)MiB;
        SendAll(m => _linuxClient.Send(m.Span), _chunk, PerInvocation * (long)MiB);
        WaitFor(ref _linuxReceived, target);
    }

    [Benchmark(OperationsPerInvoke = PerInvocation)]
    public void NetKitMiB()
    {
        long target = Volatile.Read(ref _received) + PerInvocation * (long)MiB;
        SendAll(m => _client.Send(m.Span), _chunk, PerInvocation * (long)MiB);
        WaitFor(ref _received, target);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop = true;
        _client.Dispose();
        _linuxClient.Dispose();
        _receiver.Join(5000);
        _linuxReceiver.Join(5000);
        _server.Dispose();
        _listener.Dispose();
        _linuxServer.Dispose();
        _linuxListener.Dispose();
        _deviceA.Dispose();
        _deviceB.Dispose();
        _threadsA.Dispose();
        _threadsB.Dispose();
    }
}
