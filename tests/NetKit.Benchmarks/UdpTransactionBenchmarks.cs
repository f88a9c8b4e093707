using System;
using System.Threading;
using BenchmarkDotNet.Attributes;
using NetKit.Drivers.Memory;
using NetKit.Protocols.Interfaces;
using NetKit.Protocols.Stacks;
using NetKit.Protocols.Wire;
using NetKit.Runtime;
using NetKit.Runtime.Sockets;
using NetKit.Runtime.Threading;

namespace NetKit.Benchmarks;

/// <summary>
/// UDP 64-byte request/response transactions between two <see cref="InetStack"/>s on the in-memory link, one
/// outstanding at a time: the client application sends, host B's stack delivers, B's echo application (its own
/// thread, or a run-to-completion handler on B's protocol thread) answers, and the client application receives. Everything on both sides runs through the real stacks
/// (socket → UDP → IPv4 → ARP cache → Ethernet → memory link). One protocol thread per stack. The baseline is the
/// same exchange through the Linux kernel over loopback with <see cref="System.Net.Sockets.Socket"/>, in the same run.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class UdpTransactionBenchmarks
{
    private static readonly IPv4Address AddressA = IPv4Address.Parse("10.0.0.1");
    private static readonly IPv4Address AddressB = IPv4Address.Parse("10.0.0.2");

    /// <summary>How the two sides send and where the server's echo runs.</summary>
    public enum EchoMode
    {
        /// <summary>Both applications send synchronously (<c>Send</c> waits for the protocol thread).</summary>
        SynchronousSends,
        /// <summary>Both applications post their sends (<c>TryPostSend</c>: no wait for the protocol thread).</summary>
        PostedSends,
        /// <summary>The client posts; the server is a run-to-completion <see cref="IDatagramHandler"/> on B's protocol thread.</summary>
        RunToCompletionServer,
    }

    [Params(EchoMode.SynchronousSends, EchoMode.PostedSends, EchoMode.RunToCompletionServer)]
    public EchoMode Mode { get; set; }

    private bool Posted => Mode != EchoMode.SynchronousSends;

    private sealed class InlineEcho : IDatagramHandler
    {
        public void OnDatagram(ReadOnlySpan<byte> payload, in DatagramReply reply) => reply.Send(payload);
    }

    private ProtocolThreadGroup _threadsA = null!, _threadsB = null!;
    private MemoryInterface _deviceA = null!, _deviceB = null!;
    private NetKitSocket _client = null!, _server = null!;
    private Thread _echo = null!;
    private volatile bool _stop;
    private readonly byte[] _request = new byte[64];
    private readonly byte[] _reply = new byte[256];
    private SockAddr _serverAddress;

    private System.Net.Sockets.Socket _linuxClient = null!, _linuxServer = null!;
    private Thread _linuxEcho = null!;

    [GlobalSetup]
    public void Setup()
    {
        var cpus = CpuAffinity.AllowedCpus();
        var link = new MemoryLink();
        _threadsA = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1, Cpus = [cpus[0]], NamePrefix = "hostA" }).Start();
        _threadsB = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1, Cpus = [cpus[^1]], NamePrefix = "hostB" }).Start();
        var a = new InetStack(_threadsA);
        var b = new InetStack(_threadsB);
        _deviceA = new MemoryInterface(link, "a0", new byte[] { 2, 0, 0, 0, 0, 1 });
        _deviceB = new MemoryInterface(link, "b0", new byte[] { 2, 0, 0, 0, 0, 2 });
        a.AddInterface(_deviceA, new InterfaceConfiguration(AddressA, 24));
        b.AddInterface(_deviceB, new InterfaceConfiguration(AddressB, 24));
        _serverAddress = SockAddr.IPv4(AddressB.Value, 7);
        _server = NetKitSocket.Create(b, SocketType.Datagram);
        if (Mode == EchoMode.RunToCompletionServer) _server.SetDatagramHandler(new InlineEcho());
        _server.Bind(_serverAddress);
        _server.Handle.ReceiveTimeout = TimeSpan.FromMilliseconds(100);
        _client = NetKitSocket.Create(a, SocketType.Datagram);
        _client.Connect(_serverAddress);
        _client.Handle.ReceiveTimeout = TimeSpan.FromSeconds(5);
        _echo = new Thread(Echo) { IsBackground = true, Name = "echo" };
        if (Mode != EchoMode.RunToCompletionServer) _echo.Start();
        // Warm ARP both ways and prove the echo works.
        if (Transaction() != 64) throw new InvalidOperationException("echo did not answer");

        var loopback = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0);
        _linuxServer = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        _linuxServer.Bind(loopback);
        _linuxServer.ReceiveTimeout = 100;
        _linuxClient = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        _linuxClient.Connect(_linuxServer.LocalEndPoint!);
        _linuxEcho = new Thread(LinuxEcho) { IsBackground = true, Name = "linux-echo" };
        _linuxEcho.Start();
        if (LinuxKernelLoopback() != 64) throw new InvalidOperationException("kernel echo did not answer");
    }

    private void LinuxEcho()
    {
        CpuAffinity.PinCurrentThread(CpuAffinity.AllowedCpus()[^1]);
        var buffer = new byte[256];
        System.Net.EndPoint from = new System.Net.IPEndPoint(System.Net.IPAddress.Any, 0);
        while (!_stop)
        {
            try
            {
                int n = _linuxServer.ReceiveFrom(buffer, ref from);
                _linuxServer.SendTo(buffer.AsSpan(0, n), System.Net.Sockets.SocketFlags.None, from);
            }
            catch (System.Net.Sockets.SocketException)
            {
                // receive timeout: check _stop and wait again
            }
        }
    }

    /// <summary>The same 64-byte exchange through the Linux kernel's UDP over loopback (baseline).</summary>
    [Benchmark(Baseline = true)]
    public int LinuxKernelLoopback()
    {
        _linuxClient.Send(_request);
        return _linuxClient.Receive(_reply);
    }

    private void Echo()
    {
        CpuAffinity.PinCurrentThread(CpuAffinity.AllowedCpus()[^1]);
        var buffer = new byte[256];
        while (!_stop)
        {
            if (_server.TryReceiveFrom(buffer, out int n, out _, out var from) != Errno.None) continue;
            if (Posted) _server.TryPostSendTo(buffer.AsSpan(0, n), from);
            else _server.TrySendTo(buffer.AsSpan(0, n), from, out _);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop = true;
        if (_echo.IsAlive) _echo.Join();
        _linuxEcho.Join();
        _linuxClient.Dispose();
        _linuxServer.Dispose();
        _client.Dispose();
        _server.Dispose();
        _deviceA.Dispose();
        _deviceB.Dispose();
        _threadsA.Dispose();
        _threadsB.Dispose();
    }

    /// <summary>One 64-byte request and its reply through two NetKit stacks.</summary>
    [Benchmark]
    public int Transaction()
    {
        if (Posted) NetKitSocketException.ThrowIfError(_client.TryPostSend(_request), "send");
        else _client.Send(_request);
        return _client.Receive(_reply);
    }
}
