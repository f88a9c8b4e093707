using System;
using NetKit.Runtime;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Threading;

namespace NetKit.Protocols.Tests.EndToEnd;

/// <summary>Runs a test action on a protocol thread and waits for it (tests only: it allocates).</summary>
internal sealed unsafe class OnThread : NetMsg
{
    private readonly Func<Errno> _action;

    private OnThread(Func<Errno> action) : base(&Run) => _action = action;

    public static Errno Do(ProtocolThreadGroup threads, int thread, Func<Errno> action) =>
        threads[thread].Port.Do(new OnThread(action));

    private static void Run(NetMsg message) => message.Reply(((OnThread)message)._action());
}
