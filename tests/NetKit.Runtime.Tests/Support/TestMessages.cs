using System.Collections.Concurrent;
using System.Threading;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Threading;

namespace NetKit.Runtime.Tests.Support;

/// <summary>A message that records where and in which order it ran.</summary>
internal sealed unsafe class RecordingMsg : NetMsg
{
    public RecordingMsg(ReplyPort? replyPort = null) : base(&Handle, replyPort) { }

    public int Value { get; set; }
    public Errno ReplyWith { get; set; }
    public ProtocolThread? RanOn { get; private set; }
    public int RanCount;
    public ConcurrentQueue<int>? Log { get; set; }

    private static void Handle(NetMsg msg)
    {
        var m = (RecordingMsg)msg;
        m.RanOn = ProtocolThread.Current;
        Interlocked.Increment(ref m.RanCount);
        m.Log?.Enqueue(m.Value);
        m.Reply(m.ReplyWith);
    }
}
