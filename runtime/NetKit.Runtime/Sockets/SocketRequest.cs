using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Protocols;

namespace NetKit.Runtime.Sockets;

/// <summary>
/// The netmsg a socket request travels in (DragonFly's <c>netmsg_pru_*</c> and <c>netmsg_pr_ctloutput</c>, folded
/// into one type so one cached instance per application thread serves every kind). Generated code fills the
/// arguments, points <see cref="NetMsg.Handler"/> at the protocol's generated dispatch and waits with
/// <see cref="MessagePort.Do"/>; the handler's errno comes back as the reply.
/// <para>
/// Option values cross in <see cref="Value"/>, an inline buffer: the caller copies the bytes in before the send and
/// out after the reply, so the owner thread never touches caller memory (DragonFly's kernel-side copy).
/// </para>
/// </summary>
public sealed unsafe class SocketRequest : NetMsg
{
    /// <summary>Largest typed option value (bytes) that travels inline.</summary>
    public const int InlineValueCapacity = 256;

    [ThreadStatic] private static SocketRequest? t_cached;
    [ThreadStatic] private static SocketRequest? t_current;

    /// <summary>
    /// The request whose handler is running on this protocol thread (set around the handler call by generated
    /// dispatch). Per thread, so a request of the same socket running on another thread (a send forwarded to its
    /// flow's thread) can never be mistaken for it. A handler that forwards or keeps the request takes it from here.
    /// </summary>
    public static SocketRequest? Current
    {
        get => t_current;
        [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
        set => t_current = value;
    }

    /// <summary>Nobody waits for this request (a posted send): its handler's error becomes the socket's pending error.</summary>
    public bool IsPosted;

    /// <summary>Protocol-private values a request carries across a forward (e.g. a resolved UDP 4-tuple).</summary>
    public long Scratch0;

    /// <summary>Protocol-private values a request carries across a forward.</summary>
    public long Scratch1;

    public SocketRequest() : base(null)
    {
    }

    [InlineArray(InlineValueCapacity)]
    public struct InlineValue
    {
        private byte _element0;
    }

    public NetSocket? Socket;
    public SockAddr Address;
    /// <summary>Backlog, ioctl command, flags: the request's integer argument.</summary>
    public int Argument;
    /// <summary>MSG_* flags of send, rcvd and rcvoob.</summary>
    public int RequestFlags;
    public PacketBuffer? Data;
    /// <summary>Caller memory for requests that run while the caller waits (ioctl data, untyped options).</summary>
    public byte* Buffer;
    public int BufferLength;
    public int Level;
    public int Name;
    public SockOptAccess Access;
    public bool IsNotification;
    /// <summary>Bytes of <see cref="Value"/> in use (set by the copy-in, or by a get handler's result).</summary>
    public int ValueLength;
    /// <summary>A one-byte result (out-of-band data).</summary>
    public byte ResultByte;
    public InlineValue Value;

    /// <summary>
    /// This thread's request message, or a fresh one when it is already in flight (a handler on the owner thread
    /// issuing a nested request). Steady-state sync requests therefore allocate nothing.
    /// </summary>
    public static SocketRequest Rent()
    {
        var cached = t_cached;
        if (cached is not null && cached.IsDone) return cached;
        var created = new SocketRequest();
        t_cached ??= created;
        return created;
    }

    /// <summary>Resets the arguments and aims the message at <paramref name="socket"/>'s owner.</summary>
    public SocketRequest Prepare(NetSocket socket, delegate*<NetMsg, void> handler)
    {
        Socket = socket;
        Home = socket.Home;
        Handler = handler;
        Address = default;
        Argument = 0;
        RequestFlags = 0;
        Data = null;
        Buffer = null;
        BufferLength = 0;
        Level = 0;
        Name = 0;
        Access = SockOptAccess.Set;
        Flags = MessageFlags.None;
        IsPosted = false;
        IsNotification = false;
        ValueLength = 0;
        ResultByte = 0;
        return this;
    }

    /// <summary>Sends to the socket's current home and waits for the handler's errno.</summary>
    public Errno Execute() => Socket!.Home.Port.Do(this);

    /// <summary>The inline value viewed as <typeparamref name="T"/> (size checked by <see cref="Fits{T}"/> first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref T ValueAs<T>() where T : unmanaged => ref Unsafe.As<InlineValue, T>(ref Value);

    /// <summary>True when <typeparamref name="T"/> fits the inline value (a constant after JIT).</summary>
    public static bool Fits<T>() where T : unmanaged => Unsafe.SizeOf<T>() <= InlineValueCapacity;

    /// <summary>The first <paramref name="length"/> bytes of the inline value.</summary>
    public Span<byte> ValueBytes(int length) => MemoryMarshal.CreateSpan(ref Value[0], length);

    /// <summary>The caller's buffer (valid only while the caller waits in <see cref="Execute"/>).</summary>
    public Span<byte> CallerBuffer => Buffer is null ? default : new Span<byte>(Buffer, BufferLength);
}
