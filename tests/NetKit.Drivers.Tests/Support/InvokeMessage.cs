using System;
using NetKit.Runtime.Messaging;

namespace NetKit.Drivers.Tests.Support;

/// <summary>Runs an action on the protocol thread it is sent to (tests only: it allocates a delegate).</summary>
internal sealed unsafe class InvokeMessage(Action action) : NetMsg(&Run)
{
    private static void Run(NetMsg msg)
    {
        ((InvokeMessage)msg).Action();
        msg.Reply();
    }

    private Action Action { get; } = action;
}
