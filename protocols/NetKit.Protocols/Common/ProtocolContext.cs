using System.Runtime.CompilerServices;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Threading;

namespace NetKit.Protocols.Common;

/// <summary>Where a protocol handler is running: its protocol thread's index and the stack's clock.</summary>
internal static class ProtocolContext
{
    /// <summary>Index of the calling protocol thread (0 when called from elsewhere, e.g. a test driving input directly).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Thread(NetStack stack)
    {
        var current = ProtocolThread.Current;
        return current is not null && current.Group == stack.Threads ? current.Index : 0;
    }

    /// <summary>The stack's clock, in nanoseconds (virtual under a ManualClock in tests).</summary>
    public static long Now(NetStack stack) => stack.Threads.Options.Clock.NowNanoseconds;
}
