using System.Collections.Generic;
using System.Linq;
using NetKit.Generators.Model;

namespace NetKit.Generators.Emit;

/// <summary>
/// Emits a stack's generated part from its protocol list only: protocol indices, flow classification and routing
/// (<c>ip_hashfn</c>), the input chain link → network → transport as direct calls (<c>ether_demux</c>,
/// <c>ip_protox</c>), control-input routing, socket creation and one request method per user-request kind
/// (<c>so_pru_*</c>), and socket-option dispatch (<c>sosetopt</c>/<c>sogetopt</c>).
/// </summary>
internal static class StackEmitter
{
    public static string Emit(StackModel stack)
    {
        var plan = new StackPlan(stack);
        var w = new SourceWriter();
        GeneratedHeader.Write(w, stack.Namespace);
        w.Line("/// <summary>Generated part of the stack: " + string.Join(", ", plan.All.Select(p => p.Model.Name)) + ".</summary>");
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("unsafe partial class " + stack.ClassName + " : " + Names.NetStack);
        w.Line("/// <summary>Creates the stack over <paramref name=\"threads\"/> (start them before sending requests).</summary>");
        w.Line("public " + stack.ClassName + "(" + Names.ProtocolThreadGroup + " threads) : base(threads)");
        w.Open();
        w.Close();
        w.Line();
        EmitIndices(w, plan);
        w.Line();
        EmitPacketPath(w, stack, plan);
        w.Line();
        EmitReinject(w, stack, plan);
        w.Line();
        EmitControlInput(w, plan);
        w.Line();
        EmitRouting(w, plan);
        w.Line();
        EmitSocketCreation(w, plan);
        foreach (var kind in RequestKinds)
        {
            w.Line();
            EmitRequest(w, plan, kind);
        }
        w.Line();
        EmitPostSend(w, plan);
        w.Line();
        EmitSetOption(w, plan);
        w.Line();
        EmitGetOption(w, plan);
        w.Close();
        return w.ToString();
    }

    private static readonly UserRequestKind[] RequestKinds =
    {
        UserRequestKind.Attach, UserRequestKind.Bind, UserRequestKind.Connect, UserRequestKind.Listen, UserRequestKind.Accept,
        UserRequestKind.Send, UserRequestKind.Received, UserRequestKind.ReceiveOutOfBand, UserRequestKind.Shutdown,
        UserRequestKind.Disconnect, UserRequestKind.Abort, UserRequestKind.Detach, UserRequestKind.Control,
        UserRequestKind.SocketAddress, UserRequestKind.PeerAddress,
    };

    // ---- protocol indices ---------------------------------------------------------------------------------------

    private static void EmitIndices(SourceWriter w, StackPlan plan)
    {
        w.Line("/// <summary>Each listed protocol's index, as <see cref=\"global::NetKit.Runtime.Sockets.NetSocket.ProtocolIndex\"/> carries it (0 is none).</summary>");
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("public static class ProtocolIndex");
        foreach (var p in plan.Protocols)
            w.Line("public const int " + p.Identifier + " = " + SourceWriter.Int(p.Index) + ";");
        w.Close();
    }

    // ---- packets ------------------------------------------------------------------------------------------------

    private static void EmitPacketPath(SourceWriter w, StackModel stack, StackPlan plan)
    {
        w.Line("/// <inheritdoc/>");
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("public override int SelectThread(" + Names.PacketBuffer + " frame)");
        w.Line("uint hash = ClassifyFrame(frame.Data);");
        w.Line("frame.FlowHash = hash;");
        w.Line("frame.HasFlowHash = true;");
        w.Line("return " + Names.FlowHash + ".CpuOf(hash, Threads.Count);");
        w.Close();
        w.Line();

        w.Line("/// <summary>Flow hash of a received frame from the link, network and transport classifiers and each protocol's declared flow-hash kind.</summary>");
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("private static uint ClassifyFrame(" + Names.ReadOnlySpan + " data)");
        if (plan.Link?.Model.ClassifierMethod is not { } linkClassifier)
        {
            w.Line("return 0; // no link classifier: everything belongs to thread 0");
        }
        else
        {
            w.Line("int offset = 0;");
            w.Line("var key = default(" + Names.FlowKey + ");");
            w.Line("int network = " + plan.Link.Model.FullName + "." + linkClassifier + "(data, ref offset, ref key);");
            w.Open("switch (network)");
            foreach (var network in plan.Networks)
            {
                w.Line("case " + SourceWriter.Hex(network.Model.Number) + ": // " + network.Model.Name);
                w.Open();
                if (network.Model.ClassifierMethod is { } classifier)
                {
                    w.Line("int transport = " + network.Model.FullName + "." + classifier + "(data, ref offset, ref key);");
                    var transports = plan.TransportsOver(network);
                    if (transports.Count > 0)
                    {
                        w.Open("switch (transport)");
                        foreach (var t in transports)
                            w.Line("case " + SourceWriter.Int(t.Model.Number) + ": return HashFlow(" + Kind(t.Model.FlowHash) + ", data, offset, in key); // " + t.Model.Name);
                        w.Close();
                    }
                }
                w.Line("return HashFlow(" + Kind(network.Model.FlowHash) + ", data, offset, in key);");
                w.Close();
            }
            w.Line("default:");
            w.Line("    return 0;");
            w.Close();
        }
        w.Close();
        w.Line();

        w.Line("/// <inheritdoc/>");
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("public override void Receive(" + Names.PacketBuffer + " frame)");
        w.Line("int thread = SelectThread(frame);");
        w.Line("var message = " + Names.PacketMessage + ".For(frame);");
        w.Line("message.Stack = this;");
        w.Line("message.Handler = &FrameInputDispatch;");
        w.Line("Threads[thread].Port.Send(message);");
        w.Close();
        w.Line();

        w.Line("/// <summary>Netmsg handler of a received frame on its owner thread.</summary>");
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("private static void FrameInputDispatch(" + Names.NetMsg + " message)");
        w.Line("var packetMessage = (" + Names.PacketMessage + ")message;");
        w.Line("var stack = (" + stack.FullName + ")packetMessage.Stack!;");
        w.Line("var packet = packetMessage.Packet;");
        w.Line("message.Reply(); // the message is free again; the packet now belongs to input");
        w.Line("stack.InputFrame(packet);");
        w.Close();
        w.Line();

        w.Line("/// <inheritdoc/>");
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("public override void InputFrame(" + Names.PacketBuffer + " frame)");
        if (plan.Link?.Model.InputMethod is not { } linkInput)
        {
            w.Line("CountUnknownNetwork(frame); // the stack has no link input");
        }
        else
        {
            w.Line("var packet = frame;");
            w.Line("int offset = 0;");
            w.Line("int network = " + plan.Link.Model.FullName + "." + linkInput + "(this, ref packet, ref offset);");
            w.Open("switch (network)");
            foreach (var network in plan.Networks)
            {
                w.Line("case " + SourceWriter.Hex(network.Model.Number) + ": // " + network.Model.Name);
                w.Line("    Input" + network.Identifier + "(packet, offset);");
                w.Line("    return;");
            }
            w.Line("default:");
            w.Line("    if (network >= 0) CountUnknownNetwork(packet);");
            w.Line("    return;");
            w.Close();
        }
        w.Close();

        foreach (var network in plan.Networks)
        {
            w.Line();
            w.Line("/// <summary>" + network.Model.Name + " input and its transport demultiplexing.</summary>");
            w.Line(GeneratedHeader.GeneratedCode);
            w.Open("private void Input" + network.Identifier + "(" + Names.PacketBuffer + " packet, int offset)");
            if (network.Model.InputMethod is not { } input)
            {
                w.Line("CountUnknownNetwork(packet); // " + network.Model.Name + " declares no input");
                w.Close();
                continue;
            }
            w.Line("int transport = " + network.Model.FullName + "." + input + "(this, ref packet, ref offset);");
            w.Open("switch (transport)");
            foreach (var t in plan.TransportsOver(network))
            {
                w.Line("case " + SourceWriter.Int(t.Model.Number) + ": // " + t.Model.Name);
                w.Line(t.Model.InputMethod is { } transportInput
                    ? "    " + t.Model.FullName + "." + transportInput + "(this, packet, offset);"
                    : "    CountUnknownTransport(packet); // " + t.Model.Name + " declares no input");
                w.Line("    return;");
            }
            w.Line("default:");
            w.Line("    if (transport >= 0) CountUnknownTransport(packet);");
            w.Line("    return;");
            w.Close();
            w.Close();
        }
    }

    private static void EmitReinject(SourceWriter w, StackModel stack, StackPlan plan)
    {
        w.Line("/// <inheritdoc/>");
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("public override void Reinject(int network, " + Names.PacketBuffer + " packet, int offset)");
        w.Line("var data = packet.Data;");
        w.Line("int inner = offset;");
        w.Line("var key = default(" + Names.FlowKey + ");");
        w.Line("uint hash;");
        w.Open("switch (network)");
        foreach (var network in plan.Networks)
        {
            w.Line("case " + SourceWriter.Hex(network.Model.Number) + ": // " + network.Model.Name);
            w.Open();
            if (network.Model.ClassifierMethod is { } classifier)
            {
                w.Line("int transport = " + network.Model.FullName + "." + classifier + "(data, ref inner, ref key);");
                w.Line("hash = HashFlow(" + Kind(network.Model.FlowHash) + ", data, inner, in key);");
                var transports = plan.TransportsOver(network);
                if (transports.Count > 0)
                {
                    w.Open("switch (transport)");
                    foreach (var t in transports)
                        w.Line("case " + SourceWriter.Int(t.Model.Number) + ": hash = HashFlow(" + Kind(t.Model.FlowHash) + ", data, inner, in key); break; // " + t.Model.Name);
                    w.Close();
                }
            }
            else
            {
                w.Line("hash = 0;");
            }
            w.Line("break;");
            w.Close();
        }
        w.Line("default:");
        w.Line("    CountUnknownNetwork(packet);");
        w.Line("    return;");
        w.Close();
        w.Line("packet.FlowHash = hash;");
        w.Line("packet.HasFlowHash = true;");
        w.Line("var message = " + Names.PacketMessage + ".For(packet);");
        w.Line("message.Stack = this;");
        w.Line("message.Offset = offset;");
        w.Line("message.Protocol = network;");
        w.Line("message.Handler = &ReinjectDispatch;");
        w.Line("PortForHash(hash).Send(message);");
        w.Close();
        w.Line();
        w.Line("/// <summary>Netmsg handler of a reinjected packet on its owner thread: network input again, then its transport.</summary>");
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("private static void ReinjectDispatch(" + Names.NetMsg + " message)");
        w.Line("var packetMessage = (" + Names.PacketMessage + ")message;");
        w.Line("var stack = (" + stack.FullName + ")packetMessage.Stack!;");
        w.Line("var packet = packetMessage.Packet;");
        w.Line("int offset = packetMessage.Offset;");
        w.Line("int network = packetMessage.Protocol;");
        w.Line("message.Reply();");
        w.Open("switch (network)");
        foreach (var network in plan.Networks)
        {
            w.Line("case " + SourceWriter.Hex(network.Model.Number) + ": // " + network.Model.Name);
            w.Line("    stack.Input" + network.Identifier + "(packet, offset);");
            w.Line("    return;");
        }
        w.Line("default:");
        w.Line("    stack.CountUnknownNetwork(packet);");
        w.Line("    return;");
        w.Close();
        w.Close();
    }

    private static void EmitControlInput(SourceWriter w, StackPlan plan)
    {
        w.Line("/// <inheritdoc/>");
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("public override void ControlInput(int network, " + Names.ControlCommand + " command, " + Names.PacketBuffer + " packet, int offset)");
        var networks = plan.Networks
            .Where(n => n.Model.ClassifierMethod is not null && plan.TransportsOver(n).Any(t => t.Model.ControlInputMethod is not null))
            .ToList();
        if (networks.Count == 0)
        {
            w.Line("CountUnclassifiedControl(packet); // no listed transport declares control input");
            w.Close();
            return;
        }
        w.Line("var data = packet.Data;");
        w.Line("int inner = offset;");
        w.Line("var key = default(" + Names.FlowKey + ");");
        w.Line("uint hash;");
        w.Line("int transport;");
        w.Line("delegate*<" + Names.NetMsg + ", void> handler;");
        w.Open("switch (network)");
        foreach (var network in networks)
        {
            w.Line("case " + SourceWriter.Hex(network.Model.Number) + ": // " + network.Model.Name);
            w.Indent();
            w.Line("transport = " + network.Model.FullName + "." + network.Model.ClassifierMethod + "(data, ref inner, ref key);");
            w.Open("switch (transport)");
            foreach (var t in plan.TransportsOver(network).Where(t => t.Model.ControlInputMethod is not null))
            {
                w.Line("case " + SourceWriter.Int(t.Model.Number) + ": // " + t.Model.Name);
                w.Line("    hash = HashFlow(" + Kind(t.Model.FlowHash) + ", data, inner, in key);");
                w.Line("    handler = &" + t.Model.FullName + "." + Names.ControlInputDispatch + ";");
                w.Line("    break;");
            }
            w.Line("default:");
            w.Line("    CountUnclassifiedControl(packet);");
            w.Line("    return;");
            w.Close();
            w.Line("break;");
            w.Unindent();
        }
        w.Line("default:");
        w.Line("    CountUnclassifiedControl(packet);");
        w.Line("    return;");
        w.Close();
        w.Line("var message = " + Names.PacketMessage + ".For(packet);");
        w.Line("message.Stack = this;");
        w.Line("message.Offset = offset;");
        w.Line("message.Protocol = transport;");
        w.Line("message.Command = command;");
        w.Line("message.Handler = handler;");
        w.Line("PortForHash(hash).Send(message);");
        w.Close();
    }

    // ---- routing ------------------------------------------------------------------------------------------------

    private static void EmitRouting(SourceWriter w, StackPlan plan)
    {
        w.Line("/// <summary>The flow-hash kind protocol <paramref name=\"protocolIndex\"/> declared.</summary>");
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("public static " + Names.FlowHashKind + " FlowHashOf(int protocolIndex)");
        w.Open("switch (protocolIndex)");
        foreach (var p in plan.Protocols.Where(p => p.Model.FlowHash != FlowHashKind.Thread0))
            w.Line("case ProtocolIndex." + p.Identifier + ": return " + Kind(p.Model.FlowHash) + ";");
        w.Line("default: return " + Kind(FlowHashKind.Thread0) + ";");
        w.Close();
        w.Close();
        w.Line();
        w.Line("/// <summary>The thread that owns a connection of protocol <paramref name=\"protocolIndex\"/>: where its packets hash and where a connect migrates the socket.</summary>");
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("public override " + Names.MessagePort + " PortForFlow(int protocolIndex, in " + Names.SockAddr + " local, in " + Names.SockAddr + " remote)");
        w.Line("return PortForFlowOfKind(FlowHashOf(protocolIndex), in local, in remote);");
        w.Close();
    }

    // ---- sockets ------------------------------------------------------------------------------------------------

    private static void EmitSocketCreation(SourceWriter w, StackPlan plan)
    {
        w.Line("/// <summary>");
        w.Line("/// Creates a socket (<c>socket(2)</c>): picks the protocol serving <paramref name=\"type\"/> and <paramref name=\"protocol\"/> (0 is the");
        w.Line("/// type's default), places it on a protocol thread by the protocol's flow-hash kind and attaches it there.");
        w.Line("/// </summary>");
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("public override " + Names.Errno + " CreateSocket(" + Names.SocketType + " type, int protocol, out " + Names.NetSocket + "? socket)");
        w.Line("socket = null;");
        var byType = plan.Protocols.Where(p => p.Model.SocketType != SocketType.None).GroupBy(p => p.Model.SocketType).ToList();
        if (byType.Count == 0)
        {
            w.Line("return " + Names.Errno + ".ESOCKTNOSUPPORT; // no listed protocol has sockets");
            w.Close();
            w.Line();
            EmitAttach(w, plan);
            return;
        }
        w.Line("int index;");
        w.Open("switch (type)");
        foreach (var group in byType)
        {
            w.Line("case " + Names.SocketType + "." + group.Key + ":");
            w.Indent();
            w.Open("switch (protocol)");
            var defaultProtocol = group.FirstOrDefault(p => p.Model.IsDefaultForType) ?? group.First();
            var numbers = new HashSet<int>();
            foreach (var p in group)
            {
                bool isDefault = ReferenceEquals(p, defaultProtocol);
                bool addNumber = numbers.Add(p.Model.Number) && p.Model.Number != 0;
                if (!isDefault && !addNumber) continue;
                if (isDefault) w.Line("case 0:");
                if (addNumber) w.Line("case " + SourceWriter.Int(p.Model.Number) + ":");
                w.Line("    index = ProtocolIndex." + p.Identifier + ";");
                w.Line("    break;");
            }
            w.Line("default:");
            w.Line("    return " + Names.Errno + ".EPROTONOSUPPORT;");
            w.Close();
            w.Line("break;");
            w.Unindent();
        }
        w.Line("default:");
        w.Line("    return " + Names.Errno + ".ESOCKTNOSUPPORT;");
        w.Close();
        w.Line("var created = new " + Names.NetSocket + "(this, index, AttachPort(FlowHashOf(index)), type);");
        w.Line("var error = Attach(created);");
        w.Line("if (error != " + Names.Errno + ".None) return error;");
        w.Line("socket = created;");
        w.Line("return " + Names.Errno + ".None;");
        w.Close();
        w.Line();
        EmitAttach(w, plan);
    }

    private static void EmitAttach(SourceWriter w, StackPlan plan)
    {
        var handlers = plan.Handling(UserRequestKind.Attach);
        w.Line("/// <summary><c>pru_attach</c> on the new socket's owner thread; a protocol without an attach handler needs none.</summary>");
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("private " + Names.Errno + " Attach(" + Names.NetSocket + " socket)");
        if (handlers.Count == 0)
        {
            w.Line("return " + Names.Errno + ".None;");
            w.Close();
            return;
        }
        w.Line("delegate*<" + Names.NetMsg + ", void> handler;");
        w.Open("switch (socket.ProtocolIndex)");
        foreach (var p in handlers)
        {
            w.Line("case ProtocolIndex." + p.Identifier + ":");
            w.Line("    handler = &" + p.Model.FullName + "." + Names.RequestDispatch(UserRequestKind.Attach) + ";");
            w.Line("    break;");
        }
        w.Line("default:");
        w.Line("    return " + Names.Errno + ".None;");
        w.Close();
        w.Line("return " + Names.SocketRequest + ".Rent().Prepare(socket, handler).Execute();");
        w.Close();
    }

    private sealed class RequestSignature
    {
        public RequestSignature(string name, string summary, string parameters, string[] fill, string[] after, string? outDefault = null)
        {
            Name = name;
            Summary = summary;
            Parameters = parameters;
            Fill = fill;
            After = after;
            OutDefault = outDefault;
        }

        public string Name { get; }
        public string Summary { get; }
        public string Parameters { get; }
        public string[] Fill { get; }
        public string[] After { get; }
        public string? OutDefault { get; }
    }

    private static RequestSignature Signature(UserRequestKind kind)
    {
        string socket = Names.NetSocket + " socket";
        string none = "";
        return kind switch
        {
            UserRequestKind.Bind => new("Bind", "<c>pru_bind</c>", socket + ", in " + Names.SockAddr + " address", new[] { "request.Address = address;" }, new string[0]),
            UserRequestKind.Connect => new("Connect", "<c>pru_connect</c>; the protocol may migrate the socket to the connection's thread", socket + ", in " + Names.SockAddr + " address", new[] { "request.Address = address;" }, new string[0]),
            UserRequestKind.Listen => new("Listen", "<c>pru_listen</c>", socket + ", int backlog", new[] { "request.Argument = backlog;" }, new string[0]),
            UserRequestKind.Accept => new("Accept", "<c>pru_accept</c>: the peer address of an accepted connection", socket + ", out " + Names.SockAddr + " peer", new string[0], new[] { "peer = request.Address;" }, "peer = default;"),
            UserRequestKind.Send => new("Send", "<c>pru_send</c>: takes <paramref name=\"data\"/> over, on success or not", socket + ", " + Names.PacketBuffer + "? data, in " + Names.SockAddr + " address, int flags", new[] { "request.Data = data;", "request.Address = address;", "request.RequestFlags = flags;" }, new[] { "request.Data?.Free(); // the handler never ran (the thread stopped): do not leak the data", "request.Data = null;" }),
            UserRequestKind.Received => new("Received", "<c>pru_rcvd</c>: the reader made room in the receive buffer", socket + ", int flags", new[] { "request.RequestFlags = flags;" }, new string[0]),
            UserRequestKind.ReceiveOutOfBand => new("ReceiveOutOfBand", "<c>pru_rcvoob</c>", socket + ", out byte data, int flags", new[] { "request.RequestFlags = flags;" }, new[] { "data = request.ResultByte;" }, "data = 0;"),
            UserRequestKind.Shutdown => new("Shutdown", "<c>pru_shutdown</c>: no more sends", socket, new string[0], new string[0]),
            UserRequestKind.Disconnect => new("Disconnect", "<c>pru_disconnect</c>", socket, new string[0], new string[0]),
            UserRequestKind.Abort => new("Abort", "<c>pru_abort</c>", socket, new string[0], new string[0]),
            UserRequestKind.Detach => new("Detach", "<c>pru_detach</c>: frees the protocol's state", socket, new string[0], new string[0]),
            UserRequestKind.Control => new("Control", "<c>pru_control</c> (ioctl): the handler reads and writes <paramref name=\"data\"/> while the caller waits", socket + ", uint command, " + Names.Span + " data", new[] { "request.Argument = unchecked((int)command);" }, new string[0]),
            UserRequestKind.SocketAddress => new("GetSocketAddress", "<c>pru_sockaddr</c>", socket + ", out " + Names.SockAddr + " address", new string[0], new[] { "address = request.Address;" }, "address = default;"),
            UserRequestKind.PeerAddress => new("GetPeerAddress", "<c>pru_peeraddr</c>", socket + ", out " + Names.SockAddr + " address", new string[0], new[] { "address = request.Address;" }, "address = default;"),
            _ => new(kind.ToString(), none, socket, new string[0], new string[0]),
        };
    }

    private static void EmitRequest(SourceWriter w, StackPlan plan, UserRequestKind kind)
    {
        if (kind == UserRequestKind.Attach) return; // part of CreateSocket
        var sig = Signature(kind);
        w.Line("/// <summary>" + sig.Summary + ", run on the socket's owner thread. EOPNOTSUPP if its protocol has no handler.</summary>");
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("public override " + Names.Errno + " " + sig.Name + "(" + sig.Parameters + ")");
        if (sig.OutDefault is { } outDefault) w.Line(outDefault);
        EmitHandlerSelection(w, plan, kind);
        w.Line("var request = " + Names.SocketRequest + ".Rent().Prepare(socket, handler);");
        foreach (var line in sig.Fill) w.Line(line);
        if (kind == UserRequestKind.Control)
        {
            w.Open("fixed (byte* pointer = data)");
            w.Line("request.Buffer = pointer;");
            w.Line("request.BufferLength = data.Length;");
            w.Line("error = request.Execute();");
            w.Line("request.Buffer = null;");
            w.Close();
        }
        else
        {
            w.Line("error = request.Execute();");
        }
        foreach (var line in sig.After) w.Line(line);
        w.Line("return error;");
        w.Close();
    }

    /// <summary>
    /// The start of every request method: socket check, then the generated dispatch of the socket's protocol for
    /// <paramref name="kind"/> (EOPNOTSUPP when it has none); a refused send frees its data.
    /// </summary>
    private static void EmitHandlerSelection(SourceWriter w, StackPlan plan, UserRequestKind kind)
    {
        w.Line("var error = CheckSocket(socket);");
        w.Line("delegate*<" + Names.NetMsg + ", void> handler = null;");
        w.Open("if (error == " + Names.Errno + ".None)");
        w.Open("switch (socket.ProtocolIndex)");
        foreach (var p in plan.Handling(kind))
        {
            w.Line("case ProtocolIndex." + p.Identifier + ":");
            w.Line("    handler = &" + p.Model.FullName + "." + Names.RequestDispatch(kind) + ";");
            w.Line("    break;");
        }
        w.Line("default:");
        w.Line("    error = " + Names.Errno + ".EOPNOTSUPP;");
        w.Line("    break;");
        w.Close();
        w.Close();
        w.Open("if (error != " + Names.Errno + ".None)");
        if (kind == UserRequestKind.Send) w.Line("data?.Free();");
        w.Line("return error;");
        w.Close();
    }

    private static void EmitPostSend(SourceWriter w, StackPlan plan)
    {
        w.Line("/// <summary><c>pru_send</c> without waiting, in a pooled message; errors become the socket's pending error.</summary>");
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("public override " + Names.Errno + " PostSend(" + Names.NetSocket + " socket, " + Names.PacketBuffer + "? data, in " + Names.SockAddr + " address, int flags)");
        EmitHandlerSelection(w, plan, UserRequestKind.Send);
        w.Line("var request = PostedRequests.Rent().Prepare(socket, handler);");
        w.Line("request.IsPosted = true;");
        w.Line("request.Data = data;");
        w.Line("request.Address = address;");
        w.Line("request.RequestFlags = flags;");
        w.Line("socket.Home.Port.Send(request);");
        w.Line("return " + Names.Errno + ".None;");
        w.Close();
    }

    // ---- options ------------------------------------------------------------------------------------------------

    private static void EmitSetOption(SourceWriter w, StackPlan plan)
    {
        w.Line("/// <summary><c>setsockopt(2)</c> with the caller's value bytes (a span is a buffer: empty means size 0 → EINVAL).</summary>");
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("public override " + Names.Errno + " SetSocketOption(" + Names.NetSocket + " socket, int level, int name, " + Names.ReadOnlySpan + " value)");
        w.Line("return SetSocketOptionCore(socket, level, name, true, value);");
        w.Close();
        w.Line();
        w.Line("/// <summary><c>setsockopt(2)</c> with a C-style pointer and size: null with a nonzero size → EFAULT, size above 64 KiB → EINVAL.</summary>");
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("public override " + Names.Errno + " SetSocketOption(" + Names.NetSocket + " socket, int level, int name, byte* value, int size)");
        w.Line("var error = " + Names.SocketOptionCopy + ".CheckSet(value != null, size);");
        w.Line("if (error != " + Names.Errno + ".None) return error;");
        w.Line("return SetSocketOptionCore(socket, level, name, value != null, value == null ? default : new " + Names.ReadOnlySpan + "(value, size));");
        w.Close();
        w.Line();
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("private " + Names.Errno + " SetSocketOptionCore(" + Names.NetSocket + " socket, int level, int name, bool hasValue, " + Names.ReadOnlySpan + " value)");
        w.Line("var error = CheckSocket(socket);");
        w.Line("if (error != " + Names.Errno + ".None) return error;");
        w.Line("error = " + Names.SocketOptionCopy + ".CheckSet(hasValue, value.Length);");
        w.Line("if (error != " + Names.Errno + ".None) return error;");
        w.Open("if (level == " + Names.SockOptLevel + ".Socket)");
        w.Line("// Socket level: applied here in the caller's context, then the protocol is told (DragonFly sosetopt).");
        var tables = plan.Tables.Where(t => t.Model.Options.Any(o => o.Access == SockOptAccess.Set)).ToList();
        if (tables.Count == 0)
        {
            w.Line("return " + Names.Errno + ".ENOPROTOOPT;");
        }
        else
        {
            w.Line("if (!(" + string.Join(" || ", tables.Select(t => t.Model.FullName + "." + Names.TrySetOption + "(socket, level, name, value, out error)")) + "))");
            w.Line("    return " + Names.Errno + ".ENOPROTOOPT;");
            var notified = plan.Handling(UserRequestKind.ControlOutput);
            if (notified.Count > 0)
            {
                w.Open("if (error == " + Names.Errno + ".None)");
                w.Open("switch (socket.ProtocolIndex)");
                foreach (var p in notified)
                {
                    w.Line("case ProtocolIndex." + p.Identifier + ":");
                    w.Line("    ControlOutputRequest(socket, &" + p.Model.FullName + "." + Names.RequestDispatch(UserRequestKind.ControlOutput) + ", " + Names.SockOptAccess + ".Set, level, name, value, true, out _); // answer ignored");
                    w.Line("    break;");
                }
                w.Close();
                w.Close();
            }
            w.Line("return error;");
        }
        w.Close();
        EmitProtocolChain(w, plan, SockOptAccess.Set);
        w.Close();
    }

    private static void EmitGetOption(SourceWriter w, StackPlan plan)
    {
        w.Line("/// <summary><c>getsockopt(2)</c>: copies min(buffer, value) bytes and reports how many in <paramref name=\"length\"/>.</summary>");
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("public override " + Names.Errno + " GetSocketOption(" + Names.NetSocket + " socket, int level, int name, " + Names.Span + " buffer, out int length)");
        w.Line("length = 0;");
        w.Line("var error = CheckSocket(socket);");
        w.Line("if (error != " + Names.Errno + ".None) return error;");
        w.Line("error = " + Names.SocketOptionCopy + ".CheckGet(buffer.Length);");
        w.Line("if (error != " + Names.Errno + ".None) return error;");
        w.Open("if (level == " + Names.SockOptLevel + ".Socket)");
        var tables = plan.Tables.Where(t => t.Model.Options.Any(o => o.Access == SockOptAccess.Get)).ToList();
        foreach (var t in tables)
            w.Line("if (" + t.Model.FullName + "." + Names.TryGetOption + "(socket, level, name, buffer, out length, out error)) return error;");
        w.Line("return " + Names.Errno + ".ENOPROTOOPT;");
        w.Close();
        EmitProtocolChain(w, plan, SockOptAccess.Get);
        w.Close();
        w.Line();
        w.Line("/// <summary><c>getsockopt(2)</c> with a C-style buffer and in/out size: size above 64 KiB or negative → EINVAL, null with a nonzero size → EFAULT.</summary>");
        w.Line(GeneratedHeader.GeneratedCode);
        w.Open("public override " + Names.Errno + " GetSocketOption(" + Names.NetSocket + " socket, int level, int name, byte* buffer, ref int size)");
        w.Line("var error = " + Names.SocketOptionCopy + ".CheckGet(size);");
        w.Line("if (error != " + Names.Errno + ".None) return error;");
        w.Line("if (buffer == null && size != 0) return " + Names.Errno + ".EFAULT;");
        w.Line("error = GetSocketOption(socket, level, name, buffer == null ? default : new " + Names.Span + "(buffer, size), out int length);");
        w.Line("if (error == " + Names.Errno + ".None) size = length;");
        w.Line("return error;");
        w.Close();
    }

    /// <summary>Per socket protocol: its own options, then those of the protocols it requires, then its untyped ctloutput.</summary>
    private static void EmitProtocolChain(SourceWriter w, StackPlan plan, SockOptAccess access)
    {
        bool set = access == SockOptAccess.Set;
        w.Open("switch (socket.ProtocolIndex)");
        foreach (var p in plan.Protocols.Where(p => p.Model.SocketType != SocketType.None))
        {
            w.Line("case ProtocolIndex." + p.Identifier + ":");
            w.Indent();
            foreach (var owner in plan.OptionChain(p).Where(o => o.Model.Options.Any(x => x.Access == access)))
            {
                w.Line(set
                    ? "if (" + owner.Model.FullName + "." + Names.TrySetOption + "(socket, level, name, value, out error)) return error;"
                    : "if (" + owner.Model.FullName + "." + Names.TryGetOption + "(socket, level, name, buffer, out length, out error)) return error;");
            }
            if (p.Model.RequestMethod(UserRequestKind.ControlOutput) is not null)
            {
                string dispatch = "&" + p.Model.FullName + "." + Names.RequestDispatch(UserRequestKind.ControlOutput);
                w.Line(set
                    ? "return ControlOutputRequest(socket, " + dispatch + ", " + Names.SockOptAccess + ".Set, level, name, value, false, out _);"
                    : "return ControlOutputRequest(socket, " + dispatch + ", " + Names.SockOptAccess + ".Get, level, name, buffer, false, out length);");
            }
            else
            {
                w.Line("return " + Names.Errno + ".ENOPROTOOPT;");
            }
            w.Unindent();
        }
        w.Line("default:");
        w.Line("    return " + Names.Errno + ".ENOPROTOOPT;");
        w.Close();
    }

    private static string Kind(FlowHashKind kind) => Names.FlowHashKind + "." + kind;
}
