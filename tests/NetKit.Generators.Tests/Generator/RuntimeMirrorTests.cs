using System;
using System.Linq;
using Xunit;
using Gen = NetKit.Generators.Model;

namespace NetKit.Generators.Tests.Generator;

/// <summary>
/// The generator (netstandard2.0) cannot reference the runtime, so it mirrors the runtime enums it reads from
/// attributes; these tests fail the moment the two drift apart.
/// </summary>
public sealed class RuntimeMirrorTests
{
    private static void AssertSameMembers(Type runtime, Type mirror)
    {
        var expected = Enum.GetNames(runtime).Select(n => (n, Convert.ToInt64(Enum.Parse(runtime, n), System.Globalization.CultureInfo.InvariantCulture))).ToHashSet();
        var actual = Enum.GetNames(mirror).Select(n => (n, Convert.ToInt64(Enum.Parse(mirror, n), System.Globalization.CultureInfo.InvariantCulture))).ToHashSet();
        Assert.True(expected.SetEquals(actual), $"{mirror.Name} differs from {runtime.FullName}");
    }

    [Fact]
    public void MirroredEnumsMatchTheRuntime()
    {
        AssertSameMembers(typeof(NetKit.Runtime.Protocols.ProtocolLayer), typeof(Gen.ProtocolLayer));
        AssertSameMembers(typeof(NetKit.Runtime.Hashing.FlowHashKind), typeof(Gen.FlowHashKind));
        AssertSameMembers(typeof(NetKit.Runtime.Protocols.UserRequestKind), typeof(Gen.UserRequestKind));
        AssertSameMembers(typeof(NetKit.Runtime.Protocols.SockOptAccess), typeof(Gen.SockOptAccess));
        AssertSameMembers(typeof(NetKit.Runtime.Sockets.SocketType), typeof(Gen.SocketType));
    }

    [Fact]
    public void MirroredConstantsMatchTheRuntime()
    {
        Assert.Equal(NetKit.Runtime.Sockets.SocketRequest.InlineValueCapacity, Parsing.KnownNames.InlineValueCapacity);
        Assert.Equal(NetKit.Runtime.Protocols.SockOptAttribute.Unbounded, Gen.OptionHandlerModel.Unbounded);
        Assert.Equal(Parsing.KnownNames.NetSocket, "global::" + typeof(NetKit.Runtime.Sockets.NetSocket).FullName);
        Assert.Equal(Parsing.KnownNames.NetStack, "global::" + typeof(NetKit.Runtime.Protocols.NetStack).FullName);
        Assert.Equal(Parsing.KnownNames.SockOptAttribute, typeof(NetKit.Runtime.Protocols.SockOptAttribute).FullName);
        Assert.Equal(Parsing.KnownNames.NetworkStackAttribute, typeof(NetKit.Runtime.Protocols.NetworkStackAttribute).FullName);
    }
}
