using NetKit.Protocols.Common;
using NetKit.Runtime;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Sockets;
using NetKit.Runtime.Threading;

namespace NetKit.Protocols.Udp;

/// <summary>
/// A change every protocol thread makes to its own UDP table, carried thread 0 → N−1 by one message (DragonFly's
/// <c>udp_inswildcardhash_oncpu</c>/<c>udp_detach_oncpu_dispatch</c> chains, with a message hop instead of
/// <c>infotoken</c>). The last thread sends the socket request that started it back to the socket's home, where its
/// handler resumes (or replies it, for a detach).
/// </summary>
internal sealed unsafe class UdpTableChange : NetMsg
{
    public enum Operation
    {
        InsertWildcard,
        RemoveWildcard,
        Detach,
    }

    public UdpTableChange() : base(&Run) => Flags = MessageFlags.IgnoreHome;

    public NetStack? Stack;
    public UdpPcb? Pcb;
    public Operation Op;
    public SocketRequest? Request;
    public Errno Result;

    public static delegate*<NetMsg, void> Handler0 => &Run;

    /// <summary>
    /// A thread stopped while the chain was travelling: the request it carries is answered with the stop's error
    /// instead of waiting forever for a resume that cannot come.
    /// </summary>
    protected override void OnAbandoned(Errno error)
    {
        var request = Request;
        Stack = null;
        Pcb = null;
        Request = null;
        request?.Reply(error);
    }

    private static void Run(NetMsg message)
    {
        var change = (UdpTableChange)message;
        var stack = change.Stack!;
        var pcb = change.Pcb!;
        var current = ProtocolThread.Current!;
        var state = stack.State<UdpState>();
        var table = state.Tables[current.Index];
        switch (change.Op)
        {
            case Operation.InsertWildcard:
                table.InsertWildcard(pcb);
                break;
            case Operation.RemoveWildcard:
                table.RemoveWildcard(pcb);
                break;
            case Operation.Detach:
                table.RemoveWildcard(pcb);
                if (pcb.IsBound && PortShard.ShardOf(pcb.LocalPort, stack.Threads.Count) == current.Index)
                    state.Shards[current.Index].Release(pcb.LocalPort);
                break;
        }
        if (current.Index + 1 < stack.Threads.Count)
        {
            message.Forward(stack.Threads[current.Index + 1].Port);
            return;
        }
        // Last thread: the change is everywhere. Resume or finish the request that started it.
        var request = change.Request;
        var op = change.Op;
        var result = change.Result;
        change.Stack = null;
        change.Pcb = null;
        change.Request = null;
        message.Reply();
        if (request is null) return;
        if (op == Operation.Detach || result != Errno.None)
        {
            request.Reply(result);
        }
        else
        {
            request.Flags |= MessageFlags.Protocol0; // Udp's "resumed": the handler runs again at home and finishes
            request.Forward(request.Socket!.Home.Port);
        }
    }
}
