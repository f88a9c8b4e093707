using System.Threading.Tasks;
using Xunit;

namespace NetKit.Generators.Tests.Analyzers;

/// <summary>
/// Handler methods: shape (NETKIT0001), reply (NETKIT0007), option value type (NETKIT0004) and declaration
/// (NETKIT0009), placement (NETKIT0011) and duplicates (NETKIT0008). Each bad handler is paired with its fix.
/// </summary>
public sealed class HandlerDiagnosticsTests
{
    /// <summary>A non-static protocol class (a protocol need not be static), so instance handlers compile.</summary>
    private static string InProtocol(string layer, string handler) => $$"""
        [Protocol("p", ProtocolLayer.{{layer}}, 6)]
        public partial class P
        {
            {{handler}}
        }

        public struct Holder
        {
            public string Name;
        }
        """;

    [Theory]
    [InlineData("Transport", "[UserRequest(UserRequestKind.Bind)] public static Errno Handler(NetSocket socket, SockAddr address) => Errno.None;", "static Errno (NetSocket, in SockAddr)")]
    [InlineData("Transport", "[UserRequest(UserRequestKind.Attach)] public Errno Handler(NetSocket socket) => Errno.None;", "static Errno (NetSocket)")]
    [InlineData("Transport", "[UserRequest(UserRequestKind.Attach)] public static Errno Handler<T>(NetSocket socket) => Errno.None;", "static Errno (NetSocket)")]
    [InlineData("Transport", "[UserRequest(UserRequestKind.Attach)] public static int Handler(NetSocket socket) => 0;", "static Errno (NetSocket)")]
    [InlineData("Transport", "[UserRequest(UserRequestKind.ControlOutput)] public static Errno Handler(NetSocket socket, SocketOption option) => Errno.None;", "static Errno (NetSocket, ref SocketOption)")]
    [InlineData("Transport", "[PacketInput] public static int Handler(NetStack stack, ref PacketBuffer packet, ref int offset) => 0;", "static void (NetStack stack, PacketBuffer packet, int offset)")]
    [InlineData("Network", "[PacketInput] public static void Handler(NetStack stack, PacketBuffer packet, int offset) { }", "static int (NetStack stack, ref PacketBuffer packet, ref int offset)")]
    [InlineData("Transport", "[ControlInput] public static void Handler(NetStack stack, PacketBuffer packet, int offset) { }", "static void (NetStack stack, ControlCommand command, PacketBuffer packet, int offset)")]
    [InlineData("Network", "[FlowClassifier] public static int Handler(ReadOnlySpan<byte> packet, int offset, ref FlowKey key) => -1;", "static int (ReadOnlySpan<byte> packet, ref int offset, ref FlowKey key)")]
    [InlineData("Transport", "[SockOpt(6, 1, SockOptAccess.Get)] public static Errno Handler(NetSocket socket, int value) => Errno.None;", "(NetSocket socket, out T value)")]
    [InlineData("Transport", "[SockOpt(6, 1, SockOptAccess.Set)] public static Errno Handler(NetSocket socket, ref int value) => Errno.None;", "(NetSocket socket, in T value)")]
    [InlineData("Transport", "[SockOpt(6, 1, SockOptAccess.Set, Length = 4)] public static Errno Handler(NetSocket socket, Span<byte> value) => Errno.None;", "ReadOnlySpan<byte> value")]
    [InlineData("Transport", "[SockOpt(6, 1, SockOptAccess.Set)] public Errno Handler(NetSocket socket, int value) => Errno.None;", "static Errno (NetSocket socket, T value)")]
    public async Task WrongSignature_IsNetKit0001_OnTheMethod(string layer, string handler, string expected)
    {
        var result = await AnalyzerHarness.Analyze(InProtocol(layer, handler));

        var diagnostic = result.Single("NETKIT0001", "Handler");
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("'P.Handler'", message, System.StringComparison.Ordinal);
        Assert.Contains(expected, message, System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Transport", "[UserRequest(UserRequestKind.Bind)] public static Errno Handler(NetSocket socket, in SockAddr address) => Errno.None;")]
    [InlineData("Transport", "[UserRequest(UserRequestKind.Attach)] public static Errno Handler(NetSocket socket) => Errno.None;")]
    [InlineData("Transport", "[UserRequest(UserRequestKind.ControlOutput)] public static Errno Handler(NetSocket socket, ref SocketOption option) => Errno.None;")]
    [InlineData("Transport", "[PacketInput] public static void Handler(NetStack stack, PacketBuffer packet, int offset) { }")]
    [InlineData("Network", "[PacketInput] public static int Handler(NetStack stack, ref PacketBuffer packet, ref int offset) => 0;")]
    [InlineData("Transport", "[ControlInput] public static void Handler(NetStack stack, ControlCommand command, PacketBuffer packet, int offset) { }")]
    [InlineData("Network", "[FlowClassifier] public static int Handler(ReadOnlySpan<byte> packet, ref int offset, ref FlowKey key) => -1;")]
    [InlineData("Transport", "[SockOpt(6, 1, SockOptAccess.Get)] public static Errno Handler(NetSocket socket, out int value) { value = 0; return Errno.None; }")]
    [InlineData("Transport", "[SockOpt(6, 1, SockOptAccess.Set)] public static Errno Handler(NetSocket socket, in int value) => Errno.None;")]
    [InlineData("Transport", "[SockOpt(6, 1, SockOptAccess.Set, Length = 4)] public static Errno Handler(NetSocket socket, ReadOnlySpan<byte> value) => Errno.None;")]
    [InlineData("Transport", "[SockOpt(6, 1, SockOptAccess.Get, Length = 4)] public static Errno Handler(NetSocket socket, Span<byte> value) => Errno.None;")]
    public async Task CorrectSignature_HasNoDiagnostic(string layer, string handler)
    {
        var result = await AnalyzerHarness.Analyze(InProtocol(layer, handler));

        result.AssertNone();
    }

    [Theory]
    [InlineData("[UserRequest(UserRequestKind.Attach)] public static void Handler(NetSocket socket) { }")]
    [InlineData("[UserRequest(UserRequestKind.Attach)] public static async Task<Errno> Handler(NetSocket socket) { await Task.Yield(); return Errno.None; }")]
    [InlineData("[UserRequest(UserRequestKind.Connect)] public static ValueTask<Errno> Handler(NetSocket socket, in SockAddr address) => default;")]
    [InlineData("[UserRequest(UserRequestKind.Detach)] public static Task Handler(NetSocket socket) => Task.CompletedTask;")]
    [InlineData("[SockOpt(6, 1, SockOptAccess.Set)] public static void Handler(NetSocket socket, int value) { }")]
    [InlineData("[SockOpt(6, 1, SockOptAccess.Get)] public static Task<Errno> Handler(NetSocket socket, out int value) { value = 0; return Task.FromResult(Errno.None); }")]
    public async Task HandlerThatCannotReply_IsNetKit0007_OnTheMethod(string handler)
    {
        var result = await AnalyzerHarness.Analyze(InProtocol("Transport", handler));

        var diagnostic = result.Single("NETKIT0007", "Handler");
        Assert.Contains("'P.Handler'", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
        Assert.Contains("static Errno (", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("string")]
    [InlineData("double")]
    [InlineData("char")]
    [InlineData("decimal")]
    [InlineData("object")]
    [InlineData("Holder")]
    [InlineData("KeyValuePair<int, int>")]
    public async Task UnsupportedValueType_IsNetKit0004_OnTheValueParameter(string valueType)
    {
        var result = await AnalyzerHarness.Analyze(InProtocol("Transport",
            $"[SockOpt(6, 1, SockOptAccess.Set)] public static Errno Handler(NetSocket socket, {valueType} value) => Errno.None;"));

        var diagnostic = result.Single("NETKIT0004", "Handler");
        Assert.Contains("'P.Handler'", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
        Assert.Equal(result.LineOf("Handler"), diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1);
    }

    [Theory]
    [InlineData("int")]
    [InlineData("ulong")]
    [InlineData("bool")]
    [InlineData("SocketType")]
    [InlineData("FlowKey")]
    public async Task SupportedValueType_HasNoDiagnostic(string valueType)
    {
        var result = await AnalyzerHarness.Analyze(InProtocol("Transport",
            $"[SockOpt(6, 1, SockOptAccess.Set)] public static Errno Handler(NetSocket socket, {valueType} value) => Errno.None;"));

        result.AssertNone();
    }

    [Theory]
    [InlineData("SockOptAccess.Set, Length = 4)] public static Errno Handler(NetSocket socket, int value)", "Length applies only")]
    [InlineData("SockOptAccess.Set)] public static Errno Handler(NetSocket socket, ReadOnlySpan<byte> value)", "needs Length")]
    [InlineData("SockOptAccess.Get, Length = 300)] public static Errno Handler(NetSocket socket, Span<byte> value)", "needs Length")]
    [InlineData("SockOptAccess.Set, Minimum = 0)] public static Errno Handler(NetSocket socket, bool value)", "integer and enum")]
    [InlineData("SockOptAccess.Get, Maximum = 10)] public static Errno Handler(NetSocket socket, out int value)", "get handler")]
    [InlineData("SockOptAccess.Set, Minimum = 10, Maximum = 1)] public static Errno Handler(NetSocket socket, int value)", "greater than Maximum")]
    [InlineData("SockOptAccess.Set, Minimum = -1)] public static Errno Handler(NetSocket socket, uint value)", "negative bound")]
    public async Task InvalidOptionDeclaration_IsNetKit0009_OnTheAttribute(string declaration, string reason)
    {
        var result = await AnalyzerHarness.Analyze(InProtocol("Transport",
            "[SockOpt(6, 1, " + declaration + " { " + (declaration.Contains("out int", System.StringComparison.Ordinal) ? "value = 0; " : "") + "return Errno.None; }"));

        var diagnostic = result.Single("NETKIT0009", "Handler");
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("'P.Handler'", message, System.StringComparison.Ordinal);
        Assert.Contains(reason, message, System.StringComparison.Ordinal);
        Assert.StartsWith("SockOpt(6, 1,", diagnostic.Location.SourceTree!.ToString().Substring(diagnostic.Location.SourceSpan.Start), System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SockOptAccess.Set, Minimum = 0, Maximum = 10)] public static Errno Handler(NetSocket socket, int value)")]
    [InlineData("SockOptAccess.Set, Length = 16)] public static Errno Handler(NetSocket socket, ReadOnlySpan<byte> value)")]
    [InlineData("SockOptAccess.Set, Minimum = 1, Maximum = 3)] public static Errno Handler(NetSocket socket, SocketType value)")]
    [InlineData("SockOptAccess.Set, Maximum = 100)] public static Errno Handler(NetSocket socket, uint value)")]
    public async Task ValidOptionDeclaration_HasNoDiagnostic(string declaration)
    {
        var result = await AnalyzerHarness.Analyze(InProtocol("Transport", "[SockOpt(6, 1, " + declaration + " => Errno.None;"));

        result.AssertNone();
    }

    [Theory]
    [InlineData("public static class P", "[PacketInput] public static void Handler(NetStack stack, PacketBuffer packet, int offset) { }", "neither")]
    [InlineData("[SocketOptionTable] public static partial class P", "[UserRequest(UserRequestKind.Attach)] public static Errno Handler(NetSocket socket) => Errno.None;", "SocketOptionTable")]
    [InlineData("[SocketOptionTable] public static partial class P", "[SockOpt(SockOptLevel.Tcp, 1, SockOptAccess.Set)] public static Errno Handler(NetSocket socket, int value) => Errno.None;", "level 6")]
    [InlineData("[Protocol(\"p\", ProtocolLayer.Network, 0x0800)] public static partial class P", "[ControlInput] public static void Handler(NetStack stack, ControlCommand command, PacketBuffer packet, int offset) { }", "only transports")]
    [InlineData("[Protocol(\"p\", ProtocolLayer.Transport, 6)] public static partial class P", "[FlowClassifier] public static int Handler(ReadOnlySpan<byte> packet, ref int offset, ref FlowKey key) => -1;", "link and network")]
    [InlineData("[Protocol(\"p\", ProtocolLayer.Transport, 6)] public static partial class P", "[SockOpt(SockOptLevel.Socket, 2, SockOptAccess.Set)] public static Errno Handler(NetSocket socket, bool value) => Errno.None;", "SOL_SOCKET")]
    public async Task MisplacedHandler_IsNetKit0011_OnTheAttribute(string declaration, string handler, string reason)
    {
        var result = await AnalyzerHarness.Analyze(declaration + "\n{\n    " + handler + "\n}\n");

        var diagnostic = result.Single("NETKIT0011", "Handler");
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("'P.Handler'", message, System.StringComparison.Ordinal);
        Assert.Contains(reason, message, System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[Protocol(\"p\", ProtocolLayer.Transport, 6)] public static partial class P", "[PacketInput] public static void Handler(NetStack stack, PacketBuffer packet, int offset) { }")]
    [InlineData("[SocketOptionTable] public static partial class P", "[SockOpt(SockOptLevel.Socket, 1, SockOptAccess.Set)] public static Errno Handler(NetSocket socket, int value) => Errno.None;")]
    [InlineData("[Protocol(\"p\", ProtocolLayer.Transport, 6)] public static partial class P", "[ControlInput] public static void Handler(NetStack stack, ControlCommand command, PacketBuffer packet, int offset) { }")]
    [InlineData("[Protocol(\"p\", ProtocolLayer.Network, 0x0800)] public static partial class P", "[FlowClassifier] public static int Handler(ReadOnlySpan<byte> packet, ref int offset, ref FlowKey key) => -1;")]
    [InlineData("[Protocol(\"p\", ProtocolLayer.Transport, 6)] public static partial class P", "[SockOpt(SockOptLevel.Tcp, 2, SockOptAccess.Set)] public static Errno Handler(NetSocket socket, bool value) => Errno.None;")]
    public async Task HandlerInTheRightPlace_HasNoDiagnostic(string declaration, string handler)
    {
        var result = await AnalyzerHarness.Analyze(declaration + "\n{\n    " + handler + "\n}\n");

        result.AssertNone();
    }

    [Theory]
    [InlineData("Transport", "[UserRequest(UserRequestKind.Attach)] public static Errno First(NetSocket socket) => Errno.None;", "[UserRequest(UserRequestKind.Attach)] public static Errno Second(NetSocket socket) => Errno.None;")]
    [InlineData("Transport", "[PacketInput] public static void First(NetStack stack, PacketBuffer packet, int offset) { }", "[PacketInput] public static void Second(NetStack stack, PacketBuffer packet, int offset) { }")]
    [InlineData("Transport", "[ControlInput] public static void First(NetStack stack, ControlCommand command, PacketBuffer packet, int offset) { }", "[ControlInput] public static void Second(NetStack stack, ControlCommand command, PacketBuffer packet, int offset) { }")]
    [InlineData("Network", "[FlowClassifier] public static int First(ReadOnlySpan<byte> packet, ref int offset, ref FlowKey key) => -1;", "[FlowClassifier] public static int Second(ReadOnlySpan<byte> packet, ref int offset, ref FlowKey key) => -1;")]
    public async Task SecondHandlerOfAKind_IsNetKit0008_OnTheSecondAttribute(string layer, string first, string second)
    {
        var result = await AnalyzerHarness.Analyze(InProtocol(layer, first + "\n    " + second));

        var diagnostic = result.Single("NETKIT0008", "Second(");
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("'P.Second'", message, System.StringComparison.Ordinal);
        Assert.Contains("'P.First'", message, System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandlersOfDifferentKinds_HaveNoDiagnostic()
    {
        var result = await AnalyzerHarness.Analyze(InProtocol("Transport",
            "[UserRequest(UserRequestKind.Attach)] public static Errno First(NetSocket socket) => Errno.None;\n" +
            "    [UserRequest(UserRequestKind.Detach)] public static Errno Second(NetSocket socket) => Errno.None;"));

        result.AssertNone();
    }
}
