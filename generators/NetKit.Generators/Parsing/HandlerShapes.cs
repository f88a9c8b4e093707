using System.Linq;
using Microsoft.CodeAnalysis;
using NetKit.Generators.Model;

namespace NetKit.Generators.Parsing;

/// <summary>
/// The parameter and return shapes each handler kind must have. The generator uses them to skip invalid handlers
/// silently; the analyzer (which links this file) uses them to report NETKIT0001 and NETKIT0007.
/// </summary>
internal static class HandlerShapes
{
    private readonly struct Param
    {
        public Param(string type, RefKind refKind)
        {
            Type = type;
            RefKind = refKind;
        }

        public string Type { get; }
        public RefKind RefKind { get; }

        public string Describe()
        {
            string prefix = RefKind switch
            {
                RefKind.In => "in ",
                RefKind.Out => "out ",
                RefKind.Ref => "ref ",
                _ => "",
            };
            return prefix + Short(Type);
        }
    }

    private static readonly Param Socket = new(KnownNames.NetSocket, RefKind.None);

    private static Param[] RequestParameters(UserRequestKind kind) => kind switch
    {
        UserRequestKind.Bind or UserRequestKind.Connect => new[] { Socket, new Param(KnownNames.SockAddr, RefKind.In) },
        UserRequestKind.Listen or UserRequestKind.Received => new[] { Socket, new Param("int", RefKind.None) },
        UserRequestKind.Accept or UserRequestKind.SocketAddress or UserRequestKind.PeerAddress =>
            new[] { Socket, new Param(KnownNames.SockAddr, RefKind.Out) },
        UserRequestKind.Send => new[]
        {
            Socket, new Param(KnownNames.PacketBuffer, RefKind.None), new Param(KnownNames.SockAddr, RefKind.In),
            new Param("int", RefKind.None),
        },
        UserRequestKind.ReceiveOutOfBand => new[] { Socket, new Param("byte", RefKind.Out), new Param("int", RefKind.None) },
        UserRequestKind.Control => new[] { Socket, new Param("uint", RefKind.None), new Param(KnownNames.Span, RefKind.None) },
        UserRequestKind.ControlOutput => new[] { Socket, new Param(KnownNames.SocketOption, RefKind.Ref) },
        _ => new[] { Socket },
    };

    /// <summary>The expected shape of a request handler, for messages.</summary>
    public static string DescribeRequest(UserRequestKind kind) =>
        "static Errno (" + string.Join(", ", RequestParameters(kind).Select(p => p.Describe())) + ")";

    public static ShapeProblem CheckRequest(IMethodSymbol method, UserRequestKind kind)
    {
        if (!ReturnsErrno(method)) return CannotReplyOrWrong(method);
        return Matches(method, RequestParameters(kind)) ? ShapeProblem.None : ShapeProblem.WrongSignature;
    }

    public static string DescribeInput(ProtocolLayer layer) => layer == ProtocolLayer.Transport
        ? "static void (NetStack stack, PacketBuffer packet, int offset)"
        : "static int (NetStack stack, ref PacketBuffer packet, ref int offset)";

    public static ShapeProblem CheckInput(IMethodSymbol method, ProtocolLayer layer)
    {
        var stack = new Param(KnownNames.NetStack, RefKind.None);
        if (layer == ProtocolLayer.Transport)
            return method.ReturnsVoid && Matches(method, new[] { stack, new Param(KnownNames.PacketBuffer, RefKind.None), new Param("int", RefKind.None) })
                ? ShapeProblem.None : ShapeProblem.WrongSignature;
        return ReturnsInt(method) && Matches(method, new[] { stack, new Param(KnownNames.PacketBuffer, RefKind.Ref), new Param("int", RefKind.Ref) })
            ? ShapeProblem.None : ShapeProblem.WrongSignature;
    }

    public const string ControlInputShape = "static void (NetStack stack, ControlCommand command, PacketBuffer packet, int offset)";

    public static ShapeProblem CheckControlInput(IMethodSymbol method) =>
        method.ReturnsVoid && Matches(method, new[]
        {
            new Param(KnownNames.NetStack, RefKind.None), new Param(KnownNames.ControlCommand, RefKind.None),
            new Param(KnownNames.PacketBuffer, RefKind.None), new Param("int", RefKind.None),
        }) ? ShapeProblem.None : ShapeProblem.WrongSignature;

    public const string ClassifierShape = "static int (ReadOnlySpan<byte> packet, ref int offset, ref FlowKey key)";

    public static ShapeProblem CheckClassifier(IMethodSymbol method) =>
        ReturnsInt(method) && Matches(method, new[]
        {
            new Param(KnownNames.ReadOnlySpan, RefKind.None), new Param("int", RefKind.Ref), new Param(KnownNames.FlowKey, RefKind.Ref),
        }) ? ShapeProblem.None : ShapeProblem.WrongSignature;

    public static string DescribeOption(SockOptAccess access) => access == SockOptAccess.Set
        ? "static Errno (NetSocket socket, T value), (NetSocket socket, in T value) or (NetSocket socket, ReadOnlySpan<byte> value)"
        : "static Errno (NetSocket socket, out T value) or (NetSocket socket, Span<byte> value)";

    /// <summary>
    /// Checks an option handler's shape and returns its value parameter's type (null when the shape is wrong).
    /// Whether that type is supported is <see cref="OptionValueTypes.Classify"/>'s question.
    /// </summary>
    public static ShapeProblem CheckOption(IMethodSymbol method, SockOptAccess access, out ITypeSymbol? valueType, out bool passByIn)
    {
        valueType = null;
        passByIn = false;
        if (!ReturnsErrno(method)) return CannotReplyOrWrong(method);
        if (!method.IsStatic || method.IsGenericMethod || method.Parameters.Length != 2) return ShapeProblem.WrongSignature;
        if (!IsParam(method.Parameters[0], Socket)) return ShapeProblem.WrongSignature;
        var value = method.Parameters[1];
        string type = Display(value.Type);
        if (access == SockOptAccess.Set)
        {
            if (type == KnownNames.Span) return ShapeProblem.WrongSignature;
            if (value.RefKind is not (RefKind.None or RefKind.In)) return ShapeProblem.WrongSignature;
            if (type == KnownNames.ReadOnlySpan && value.RefKind != RefKind.None) return ShapeProblem.WrongSignature;
            passByIn = value.RefKind == RefKind.In;
        }
        else
        {
            if (type == KnownNames.ReadOnlySpan) return ShapeProblem.WrongSignature;
            bool ok = type == KnownNames.Span ? value.RefKind == RefKind.None : value.RefKind == RefKind.Out;
            if (!ok) return ShapeProblem.WrongSignature;
        }
        valueType = value.Type;
        return ShapeProblem.None;
    }

    private static ShapeProblem CannotReplyOrWrong(IMethodSymbol method)
    {
        if (method.IsAsync || method.ReturnsVoid) return ShapeProblem.CannotReply;
        string name = method.ReturnType.OriginalDefinition.ToDisplayString();
        return name.StartsWith("System.Threading.Tasks.", System.StringComparison.Ordinal) ? ShapeProblem.CannotReply : ShapeProblem.WrongSignature;
    }

    private static bool ReturnsErrno(IMethodSymbol method) => !method.ReturnsByRef && Display(method.ReturnType) == KnownNames.Errno;

    private static bool ReturnsInt(IMethodSymbol method) => !method.ReturnsByRef && method.ReturnType.SpecialType == SpecialType.System_Int32;

    private static bool Matches(IMethodSymbol method, Param[] expected)
    {
        if (!method.IsStatic || method.IsGenericMethod || method.Parameters.Length != expected.Length) return false;
        for (int i = 0; i < expected.Length; i++)
            if (!IsParam(method.Parameters[i], expected[i])) return false;
        return true;
    }

    private static bool IsParam(IParameterSymbol parameter, Param expected) =>
        parameter.RefKind == expected.RefKind && Display(parameter.Type) == expected.Type;

    public static string Display(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

    private static string Short(string type)
    {
        int dot = type.LastIndexOf('.', type.IndexOf('<') is var lt and >= 0 ? lt : type.Length - 1);
        return dot >= 0 ? type.Substring(dot + 1) : type.Replace("global::", "");
    }
}
