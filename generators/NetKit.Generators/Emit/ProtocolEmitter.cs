using NetKit.Generators.Model;

namespace NetKit.Generators.Emit;

/// <summary>
/// Emits a protocol's generated part: one static dispatch per user-request kind it handles (the netmsg handler that
/// unpacks a <c>SocketRequest</c>, calls the declared method directly and replies with its errno) and its control-input
/// dispatch. Stacks point netmsgs at these.
/// </summary>
internal static class ProtocolEmitter
{
    public static string EmitDispatch(ProtocolModel protocol)
    {
        var w = new SourceWriter();
        GeneratedHeader.Write(w, protocol.Namespace);
        w.Open((protocol.IsStatic ? "static " : "") + "partial class " + protocol.ClassName);
        bool first = true;
        foreach (var request in protocol.Requests)
        {
            if (!first) w.Line();
            first = false;
            EmitRequest(w, protocol, request);
        }
        if (protocol.ControlInputMethod is { } controlInput)
        {
            if (!first) w.Line();
            w.Line("/// <summary>Netmsg handler: runs <see cref=\"" + controlInput + "\"/> on the thread owning the quoted flow, then frees the packet.</summary>");
            WriteMemberAttributes(w);
            w.Open("public static void " + Names.ControlInputDispatch + "(" + Names.NetMsg + " message)");
            w.Line("var packetMessage = (" + Names.PacketMessage + ")message;");
            w.Line("var packet = packetMessage.Packet;");
            w.Line("var stack = packetMessage.Stack!;");
            w.Line("int offset = packetMessage.Offset;");
            w.Line("var command = packetMessage.Command;");
            w.Line("message.Reply();");
            w.Line(controlInput + "(stack, command, packet, offset);");
            w.Line("packet.Free();");
            w.Close();
        }
        w.Close();
        return w.ToString();
    }

    public static bool HasDispatch(ProtocolModel protocol) => !protocol.IsOptionTable && (protocol.Requests.Count > 0 || protocol.ControlInputMethod is not null);

    internal static void WriteMemberAttributes(SourceWriter w)
    {
        w.Line(GeneratedHeader.GeneratedCode);
        w.Line(Names.EditorBrowsableNever);
    }

    private static void EmitRequest(SourceWriter w, ProtocolModel protocol, RequestHandlerModel request)
    {
        w.Line("/// <summary>Netmsg handler for <c>" + request.Kind + "</c>: calls <see cref=\"" + request.Method + "\"/> on the owner thread and replies with its errno.</summary>");
        WriteMemberAttributes(w);
        w.Open("public static void " + Names.RequestDispatch(request.Kind) + "(" + Names.NetMsg + " message)");
        w.Line("var request = (" + Names.SocketRequest + ")message;");
        w.Line("var socket = request.Socket!;");
        if (request.Kind == UserRequestKind.ControlOutput)
        {
            w.Line("var option = new " + Names.SocketOption + " { Access = request.Access, Level = request.Level, Name = request.Name, Value = request.CallerBuffer, Length = request.BufferLength, IsNotification = request.IsNotification };");
            w.Line("var outer = " + Names.SocketRequest + ".Current;");
            w.Line(Names.SocketRequest + ".Current = request;");
            w.Line("var error = " + request.Method + "(socket, ref option);");
            w.Line(Names.SocketRequest + ".Current = outer;");
            w.Line("request.ValueLength = option.Length;");
        }
        else
        {
            if (request.Kind == UserRequestKind.Send)
            {
                w.Line("var data = request.Data; // the handler owns the data from here, whatever it returns");
                w.Line("request.Data = null;");
            }
            w.Line("var outer = " + Names.SocketRequest + ".Current; // a handler may issue a nested request inline");
            w.Line(Names.SocketRequest + ".Current = request;");
            w.Line("var error = " + request.Method + "(" + Arguments(request.Kind) + ");");
            w.Line(Names.SocketRequest + ".Current = outer;");
        }
        if (request.Kind == UserRequestKind.Send)
        {
            w.Line("// A posted send has no waiting caller: its error is the socket's pending error (so_error).");
            w.Line("if (request.IsPosted && error != " + Names.Errno + ".None && error != " + Names.Errno + ".EJUSTRETURN) socket.SetError(error);");
        }
        w.Line("if (error != " + Names.Errno + ".EJUSTRETURN) request.Reply(error);");
        w.Close();
    }

    private static string Arguments(UserRequestKind kind) => kind switch
    {
        UserRequestKind.Bind or UserRequestKind.Connect => "socket, in request.Address",
        UserRequestKind.Listen => "socket, request.Argument",
        UserRequestKind.Received => "socket, request.RequestFlags",
        UserRequestKind.Accept or UserRequestKind.SocketAddress or UserRequestKind.PeerAddress => "socket, out request.Address",
        UserRequestKind.Send => "socket, data!, in request.Address, request.RequestFlags",
        UserRequestKind.ReceiveOutOfBand => "socket, out request.ResultByte, request.RequestFlags",
        UserRequestKind.Control => "socket, unchecked((uint)request.Argument), request.CallerBuffer",
        _ => "socket",
    };
}
