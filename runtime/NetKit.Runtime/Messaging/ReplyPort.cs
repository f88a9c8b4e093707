namespace NetKit.Runtime.Messaging;

/// <summary>
/// What replying to a message does when no <see cref="MessagePort.Do"/> or <see cref="MessagePort.DoAsync"/>
/// caller is waiting for it. These are DragonFly's special reply ports (<c>netisr_adone_rport</c>,
/// <c>netisr_afree_rport</c>, <c>netisr_apanic_rport</c>); waking a synchronous waiter and completing an
/// awaiter are chosen by <c>Do</c>/<c>DoAsync</c> themselves.
/// </summary>
public abstract class ReplyPort
{
    /// <summary>Only marks the message done, so its owner can send it again (reusable embedded messages).</summary>
    public static readonly ReplyPort MarkDone = new MarkDoneReplyPort();

    /// <summary>Replying is a bug (messages embedded in packet buffers, consumed by the protocol).</summary>
    public static readonly ReplyPort MustNotReply = new MustNotReplyPort();

    internal bool IsMustNotReply => ReferenceEquals(this, MustNotReply);

    /// <summary>Runs after the message's state became <see cref="MessageState.Done"/> and its error was set.</summary>
    internal abstract void OnReply(NetMsg msg);

    private sealed class MarkDoneReplyPort : ReplyPort
    {
        internal override void OnReply(NetMsg msg) { }
    }

    private sealed class MustNotReplyPort : ReplyPort
    {
        internal override void OnReply(NetMsg msg) { }
    }
}
