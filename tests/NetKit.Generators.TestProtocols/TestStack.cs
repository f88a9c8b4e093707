using NetKit.Runtime.Protocols;

namespace NetKit.Generators.TestProtocols;

/// <summary>The full test stack: link, network, transport and socket-level options.</summary>
[NetworkStack(typeof(TestLink), typeof(TestNetwork), typeof(TestTransport), typeof(TestSocketOptions))]
public sealed partial class TestStack
{
}

/// <summary>A subset stack (no transport, no options): its generated code must not reference TestTransport.</summary>
[NetworkStack(typeof(TestLink), typeof(TestNetwork))]
public sealed partial class NetworkOnlyStack
{
}

/// <summary>The test protocols with the runtime's standard SOL_SOCKET table instead of the test one.</summary>
[NetworkStack(typeof(TestLink), typeof(TestNetwork), typeof(TestTransport), typeof(NetKit.Runtime.Sockets.SocketLevelOptions))]
public sealed partial class StandardOptionsStack
{
}
