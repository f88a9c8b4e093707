using System;

namespace NetKit.Runtime.Sockets;

/// <summary>
/// A connection-oriented socket's state as the application sees it (BSD <c>so_state</c>: SS_ISCONNECTING,
/// SS_ISCONNECTED, SS_CANTSENDMORE…). The protocol thread changes it atomically (<c>sosetstate</c>/<c>soclrstate</c>);
/// application threads read it and wait for changes.
/// </summary>
[Flags]
public enum SocketStates
{
    None = 0,
    /// <summary>A connect is in progress (SYN sent).</summary>
    Connecting = 1 << 0,
    /// <summary>The connection is established (or was, before a close).</summary>
    Connected = 1 << 1,
    /// <summary>The connection has ended: closed by both sides, reset, or timed out.</summary>
    Disconnected = 1 << 2,
    /// <summary>No more data may be sent (shutdown for writing, or the connection ended).</summary>
    CantSendMore = 1 << 3,
    /// <summary>The peer sent its FIN, or the connection ended: reads end once the buffer is drained.</summary>
    CantReceiveMore = 1 << 4,
    /// <summary>A listening socket.</summary>
    Listening = 1 << 5,
    /// <summary>
    /// Everything this side sent, its FIN included, has been acknowledged (Linux's wait in <c>sk_stream_wait_close</c>
    /// ends here; a lingering close waits for it).
    /// </summary>
    SendAcknowledged = 1 << 6,
}
