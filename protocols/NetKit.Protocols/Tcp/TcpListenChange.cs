using NetKit.Runtime;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Sockets;
using NetKit.Runtime.Threading;

namespace NetKit.Protocols.Tcp;

/// <summary>
/// Puts a listener into every protocol thread's table, or takes it out, carried 0 → N−1 by one message (DragonFly's
/// <c>in_pcbinswildcardhash_handler</c> chain and <c>tcp_listen_detach_handler</c>). The last thread answers the
/// socket request that started it, so <c>listen()</c> returns only when a SYN on any thread finds the listener.
/// </summary>
internal sealed unsafe class TcpListenChange : NetMsg
{
    public TcpListenChange() : base(&Run) => Flags = MessageFlags.IgnoreHome;

    public NetStack? Stack;
    public TcpPcb? Listener;
    public bool Insert;
    public SocketRequest? Request;

    public static delegate*<NetMsg, void> Handler0 => &Run;

    /// <summary>A thread stopped mid-chain: the waiting request is answered with the stop's error.</summary>
    protected override void OnAbandoned(Errno error)
    {
        var request = Request;
        Stack = null;
        Listener = null;
        Request = null;
        request?.Reply(error);
    }

    private static void Run(NetMsg message)
    {
        var change = (TcpListenChange)message;
        var stack = change.Stack!;
        var current = ProtocolThread.Current!;
        var table = stack.State<TcpState>().Tables[current.Index];
        if (change.Insert) table.InsertListener(change.Listener!);
        else table.RemoveListener(change.Listener!);
        if (current.Index + 1 < stack.Threads.Count)
        {
            message.Forward(stack.Threads[current.Index + 1].Port);
            return;
        }
        var request = change.Request;
        change.Stack = null;
        change.Listener = null;
        change.Request = null;
        message.Reply();
        request?.Reply(Errno.None);
    }
}
