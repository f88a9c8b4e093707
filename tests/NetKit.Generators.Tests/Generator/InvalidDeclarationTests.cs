using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using NetKit.Generators.Tests.Support;
using Xunit;

namespace NetKit.Generators.Tests.Generator;

/// <summary>
/// The generator skips what it cannot use (the analyzer reports it) and never emits code that fails to compile,
/// never throws, whatever the declarations look like.
/// </summary>
public sealed class InvalidDeclarationTests
{
    private static void AssertGeneratedCodeCompiles(GeneratorDriverRunResult result, Compilation output)
    {
        Assert.Empty(result.Diagnostics); // CS8784/CS8785 would mean the generator threw
        var generated = result.GeneratedTrees.ToHashSet();
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree is { } t && generated.Contains(t)).ToList();
        Assert.True(errors.Count == 0, TestCompilation.Describe(errors));
    }

    [Fact]
    public void HandlersWithWrongShapesAreLeftOut()
    {
        var source = """
            using System.Threading.Tasks;
            using NetKit.Runtime;
            using NetKit.Runtime.Protocols;
            using NetKit.Runtime.Sockets;

            namespace Sample;

            [Protocol("bad", ProtocolLayer.Transport, 99, SocketType = SocketType.Raw)]
            public static partial class Bad
            {
                [UserRequest(UserRequestKind.Bind)] public static Errno Bind(NetSocket socket, SockAddr address) => Errno.None;     // not 'in'
                [UserRequest(UserRequestKind.Connect)] public static void Connect(NetSocket socket, in SockAddr address) { }       // cannot reply
                [UserRequest(UserRequestKind.Shutdown)] public static Task<Errno> Shutdown(NetSocket socket) => Task.FromResult(Errno.None);
                [UserRequest(UserRequestKind.Abort)] public static Errno Abort(NetSocket socket) => Errno.None;
                [UserRequest(UserRequestKind.Abort)] public static Errno AbortAgain(NetSocket socket) => Errno.None;              // duplicate
                [SockOpt(255, 1, SockOptAccess.Set)] public static Errno SetName(NetSocket socket, string value) => Errno.None;   // unsupported type
                [SockOpt(255, 2, SockOptAccess.Set, Minimum = 5, Maximum = 1)] public static Errno SetRange(NetSocket socket, int value) => Errno.None;
                [SockOpt(255, 3, SockOptAccess.Set, Length = 4)] public static Errno SetBytes(NetSocket socket, int value) => Errno.None;
                [SockOpt(255, 4, SockOptAccess.Get)] public static Errno GetMissingOut(NetSocket socket, int value) => Errno.None;
            }

            [NetworkStack(typeof(Bad), typeof(string), typeof(Bad))]
            public sealed partial class OddStack { }
            """;
        var (_, result, output) = GeneratorRunner.Run(source);
        AssertGeneratedCodeCompiles(result, output);
        string dispatch = GeneratorRunner.Source(result, "Bad.Dispatch.g.cs");
        Assert.Contains("__NetKitDispatchAbort", dispatch, StringComparison.Ordinal);
        Assert.DoesNotContain("__NetKitDispatchBind", dispatch, StringComparison.Ordinal);
        Assert.DoesNotContain("__NetKitDispatchConnect", dispatch, StringComparison.Ordinal);
        Assert.DoesNotContain("__NetKitDispatchShutdown", dispatch, StringComparison.Ordinal);
        Assert.DoesNotContain("AbortAgain", dispatch, StringComparison.Ordinal);
        Assert.DoesNotContain(result.GeneratedTrees, t => t.FilePath.EndsWith("Bad.Options.g.cs", StringComparison.Ordinal));
    }

    [Fact]
    public void NonPartialNestedAndGenericDeclarationsAreSkipped()
    {
        var source = """
            using NetKit.Runtime.Protocols;

            namespace Sample;

            [Protocol("notpartial", ProtocolLayer.Network, 0x0800)]
            public static class NotPartial { }

            public static partial class Outer
            {
                [Protocol("nested", ProtocolLayer.Network, 0x0806)]
                public static partial class Nested { }
            }

            [Protocol("generic", ProtocolLayer.Network, 0x86DD)]
            public partial class Generic<T> { }

            [NetworkStack(typeof(NotPartial))]
            public sealed class NotPartialStack { }

            public class SomeBase { }

            [NetworkStack(typeof(NotPartial))]
            public sealed partial class StackWithBase : SomeBase { }
            """;
        var (_, result, output) = GeneratorRunner.Run(source);
        Assert.Empty(result.GeneratedTrees);
        Assert.Empty(result.Diagnostics);
        _ = output;
    }

    [Fact]
    public void ConflictingNumbersAndMissingRequirementsStillCompile()
    {
        var source = """
            using System;
            using NetKit.Runtime.Buffers;
            using NetKit.Runtime.Protocols;

            namespace Sample;

            [Protocol("a", ProtocolLayer.Network, 0x0800)]
            public static partial class A { [PacketInput] public static int Input(NetStack s, ref PacketBuffer p, ref int o) => -1; }

            [Protocol("b", ProtocolLayer.Network, 0x0800)]
            public static partial class B { [PacketInput] public static int Input(NetStack s, ref PacketBuffer p, ref int o) => -1; }

            [Protocol("t1", ProtocolLayer.Transport, 6)]
            [RequiresProtocol(typeof(Missing))]
            public static partial class T1 { [PacketInput] public static void Input(NetStack s, PacketBuffer p, int o) { } }

            [Protocol("t2", ProtocolLayer.Transport, 6)]
            public static partial class T2 { [PacketInput] public static void Input(NetStack s, PacketBuffer p, int o) { } }

            [Protocol("missing", ProtocolLayer.Network, 0x86DD)]
            public static partial class Missing { }

            [Protocol("l1", ProtocolLayer.Link, 0)]
            public static partial class L1 { [PacketInput] public static int Input(NetStack s, ref PacketBuffer p, ref int o) => 0x0800; }

            [Protocol("l2", ProtocolLayer.Link, 0)]
            public static partial class L2 { }

            [NetworkStack(typeof(L1), typeof(L2), typeof(A), typeof(B), typeof(T1), typeof(T2))]
            public sealed partial class ConflictStack { }

            [NetworkStack]
            public sealed partial class EmptyStack { }
            """;
        var (_, result, output) = GeneratorRunner.Run(source);
        AssertGeneratedCodeCompiles(result, output);
        string stack = GeneratorRunner.Source(result, "ConflictStack.Stack.g.cs");
        Assert.Contains("global::Sample.A.Input", stack, StringComparison.Ordinal);      // first claim wins
        Assert.DoesNotContain("global::Sample.B.Input", stack, StringComparison.Ordinal);
        // T1 requires a network the stack does not list, so it is demultiplexed under every listed network (the
        // analyzer reports the missing requirement); as the first to claim 6 it wins over T2.
        Assert.Contains("global::Sample.T1.Input", stack, StringComparison.Ordinal);
        Assert.DoesNotContain("global::Sample.T2.Input", stack, StringComparison.Ordinal);
        Assert.Contains("EmptyStack.Stack.g.cs", string.Join(" ", result.GeneratedTrees.Select(t => t.FilePath)), StringComparison.Ordinal);
    }
}
