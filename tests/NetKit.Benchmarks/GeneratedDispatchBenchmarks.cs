using BenchmarkDotNet.Attributes;
using NetKit.Generators.TestProtocols;
using NetKit.Runtime;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Sockets;
using NetKit.Runtime.Threading;

namespace NetKit.Benchmarks;

/// <summary>
/// Cost per socket request of the generator's dispatch against the two hand-written alternatives a protocol author
/// would otherwise write: one netmsg handler that switches on the request kind, and a per-kind handler that calls
/// the protocol through an interface (a <c>pr_usrreqs</c>-style table). All three run the same request
/// (<c>pru_rcvd</c> on the test transport) through the same <see cref="SocketRequest"/> and inline
/// <see cref="MessagePort.Do"/> on the socket's owner thread, so only the dispatch differs. Each benchmark
/// invocation is one message to the owner thread that issues <see cref="Requests"/> requests there.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public unsafe class GeneratedDispatchBenchmarks
{
    public const int Requests = 1000;

    private ProtocolThreadGroup _threads = null!;
    private TestStack _stack = null!;
    private NetSocket _socket = null!;
    private LoopMsg _loop = null!;

    private enum Mode
    {
        Generated,
        Switch,
        Interface,
    }

    private sealed class LoopMsg : NetMsg
    {
        public LoopMsg() : base(&Run) { }

        public Mode Mode;
        public TestStack Stack = null!;
        public NetSocket Socket = null!;

        private static void Run(NetMsg message)
        {
            var loop = (LoopMsg)message;
            var error = Errno.None;
            switch (loop.Mode)
            {
                case Mode.Generated:
                    for (int i = 0; i < Requests; i++) error |= loop.Stack.Received(loop.Socket, 0);
                    break;
                case Mode.Switch:
                    for (int i = 0; i < Requests; i++) error |= HandWrittenSwitch.Received(loop.Socket, 0);
                    break;
                default:
                    for (int i = 0; i < Requests; i++) error |= InterfaceTable.Received(loop.Socket, 0);
                    break;
            }
            loop.Reply(error);
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkThreads.PinProducer();
        _threads = BenchmarkThreads.StartProtocolThread();
        _stack = new TestStack(_threads);
        if (_stack.CreateSocket(SocketType.Datagram, 0, out var socket) != Errno.None) throw new System.InvalidOperationException("socket");
        _socket = socket!;
        _loop = new LoopMsg { Stack = _stack, Socket = _socket };
    }

    [GlobalCleanup]
    public void Cleanup() => _threads.Dispose();

    private Errno Run(Mode mode)
    {
        _loop.Mode = mode;
        return _socket.Home.Port.Do(_loop);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Requests, Description = "Hand-written switch")]
    public Errno HandWrittenSwitchDispatch() => Run(Mode.Switch);

    [Benchmark(OperationsPerInvoke = Requests, Description = "Generated dispatch")]
    public Errno GeneratedDispatch() => Run(Mode.Generated);

    [Benchmark(OperationsPerInvoke = Requests, Description = "Interface call")]
    public Errno InterfaceDispatch() => Run(Mode.Interface);

    /// <summary>What a protocol author writes without the generator: one handler, a switch on protocol and kind.</summary>
    private static class HandWrittenSwitch
    {
        public static Errno Received(NetSocket socket, int flags)
        {
            var request = SocketRequest.Rent().Prepare(socket, &Dispatch);
            request.Argument = (int)UserRequestKind.Received;
            request.RequestFlags = flags;
            return request.Execute();
        }

        private static void Dispatch(NetMsg message)
        {
            var request = (SocketRequest)message;
            var socket = request.Socket!;
            Errno error;
            switch (socket.ProtocolIndex)
            {
                case TestStack.ProtocolIndex.TestTransport:
                    switch ((UserRequestKind)request.Argument)
                    {
                        case UserRequestKind.Bind: error = TestTransport.Bind(socket, in request.Address); break;
                        case UserRequestKind.Connect: error = TestTransport.Connect(socket, in request.Address); break;
                        case UserRequestKind.Received: error = TestTransport.Received(socket, request.RequestFlags); break;
                        case UserRequestKind.Shutdown: error = TestTransport.Shutdown(socket); break;
                        case UserRequestKind.Detach: error = TestTransport.Detach(socket); break;
                        default: error = Errno.EOPNOTSUPP; break;
                    }
                    break;
                default:
                    error = Errno.EOPNOTSUPP;
                    break;
            }
            request.Reply(error);
        }
    }

    /// <summary>A <c>pr_usrreqs</c>-style table: protocols implement an interface, one per protocol index.</summary>
    private interface IUserRequests
    {
        Errno Bind(NetSocket socket, in SockAddr address);
        Errno Received(NetSocket socket, int flags);
        Errno Shutdown(NetSocket socket);
    }

    private sealed class TestTransportRequests : IUserRequests
    {
        public Errno Bind(NetSocket socket, in SockAddr address) => TestTransport.Bind(socket, in address);
        public Errno Received(NetSocket socket, int flags) => TestTransport.Received(socket, flags);
        public Errno Shutdown(NetSocket socket) => TestTransport.Shutdown(socket);
    }

    private static class InterfaceTable
    {
        // Index 0 unused; a second implementation keeps the call site from being provably monomorphic.
        private static readonly IUserRequests?[] s_protocols = { null, null, null, new TestTransportRequests(), new OtherRequests() };

        public static Errno Received(NetSocket socket, int flags)
        {
            var request = SocketRequest.Rent().Prepare(socket, &Dispatch);
            request.RequestFlags = flags;
            return request.Execute();
        }

        private static void Dispatch(NetMsg message)
        {
            var request = (SocketRequest)message;
            var socket = request.Socket!;
            var protocol = (uint)socket.ProtocolIndex < (uint)s_protocols.Length ? s_protocols[socket.ProtocolIndex] : null;
            request.Reply(protocol is null ? Errno.EOPNOTSUPP : protocol.Received(socket, request.RequestFlags));
        }

        private sealed class OtherRequests : IUserRequests
        {
            public Errno Bind(NetSocket socket, in SockAddr address) => Errno.EOPNOTSUPP;
            public Errno Received(NetSocket socket, int flags) => Errno.EOPNOTSUPP;
            public Errno Shutdown(NetSocket socket) => Errno.EOPNOTSUPP;
        }
    }
}
