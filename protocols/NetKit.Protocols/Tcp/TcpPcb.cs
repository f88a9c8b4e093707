using NetKit.Protocols.Common;
using NetKit.Protocols.Tcp.Algorithms;
using NetKit.Protocols.Tcp.Reassembly;
using NetKit.Protocols.Tcp.Sack;
using NetKit.Runtime;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Sockets;
using NetKit.Runtime.Timers;

namespace NetKit.Protocols.Tcp;

/// <summary>
/// A TCP control block (RFC 9293 §3.3.1's TCB; DragonFly's inpcb + tcpcb). It belongs to one protocol thread, the
/// one its 4-tuple hashes to, and only that thread touches it: its packets, requests and timers all run there.
/// Send-side data lives in the socket's send ring, not here: the ring's first byte is sequence
/// <see cref="SendBufferBase"/>, and bytes leave the ring only when acknowledged.
/// </summary>
public sealed class TcpPcb : IPv4.IIPv4Options
{
    public TcpPcb(NetStack stack, NetSocket? socket)
    {
        Stack = stack;
        Socket = socket;
        Rtt = new RttEstimator(stack.State<TcpState>().MinRtoMicros, TcpSettings.MaxRtoMicros, TcpSettings.InitialRtoMicros);
    }

    public NetStack Stack { get; }

    /// <summary>The socket; null once the application closed it and the connection finishes on its own.</summary>
    public NetSocket? Socket { get; internal set; }

    public TcpConnectionState State { get; internal set; }

    public uint LocalAddress { get; internal set; }
    public ushort LocalPort { get; internal set; }
    public uint ForeignAddress { get; internal set; }
    public ushort ForeignPort { get; internal set; }

    public EndpointKey Key => new(LocalAddress, LocalPort, ForeignAddress, ForeignPort);

    /// <summary>The owner protocol thread's index (set when the pcb enters a table).</summary>
    public int Thread { get; internal set; }

    /// <summary>In its thread's connection table.</summary>
    internal bool InTable;

    /// <summary>Holds a binding in its port's shard (explicit bind; released on close).</summary>
    internal bool HoldsPortBinding;

    /// <summary>The socket asked to close (detach): the pcb finishes the close and is freed without a socket.</summary>
    internal bool Detached;

    // ---- send sequence space (RFC 9293 §3.3.1) ----
    public uint InitialSendSequence { get; internal set; }
    public uint SendUnacknowledged { get; internal set; }
    public uint SendNext { get; internal set; }
    /// <summary>Highest sequence sent so far (snd_max; SendNext drops back to SendUnacknowledged on a timeout).</summary>
    public uint SendMax { get; internal set; }
    /// <summary>The peer's window in bytes (already scaled).</summary>
    public uint SendWindow { get; internal set; }
    internal uint SendWindowUpdateSequence;     // SND.WL1
    internal uint SendWindowUpdateAcknowledged; // SND.WL2
    /// <summary>Sequence number of the send ring's first byte.</summary>
    internal uint SendBufferBase;
    internal uint MaxSendWindow;

    // ---- receive sequence space ----
    public uint InitialReceiveSequence { get; internal set; }
    public uint ReceiveNext { get; internal set; }
    /// <summary>Right edge of the window last advertised (rcv_adv): never moved left (RFC 9293 §3.8.6.2.2).</summary>
    internal uint ReceiveAdvertised;

    // ---- options (RFC 7323, RFC 9293 §3.7.1) ----
    /// <summary>Effective send MSS: the peer's MSS and our route's, less the timestamp option when used.</summary>
    public int MaxSegmentSize { get; internal set; } = TcpSettings.DefaultMss;
    internal int PeerMss = TcpSettings.DefaultMss;
    internal byte SendScale;
    internal byte ReceiveScale;
    internal bool WindowScaling;
    internal bool Timestamps;
    internal uint TimestampRecent;
    internal long TimestampRecentAge;
    internal uint LastAckSent;
    internal bool SackPermitted;

    // ---- urgent data (RFC 9293 §3.8.5; DragonFly §7) ----
    /// <summary>SND.UP: one past the urgent byte; segments before it carry URG while <see cref="UrgentPending"/>.</summary>
    internal uint SendUrgentPointer;
    internal bool UrgentPending;
    /// <summary>RCV.UP: the highest urgent pointer received (one past the urgent byte).</summary>
    internal uint ReceiveUrgentPointer;
    internal bool HasReceiveUrgent;
    /// <summary>The urgent byte is still to arrive and will be pulled out of the stream (not SO_OOBINLINE).</summary>
    internal bool UrgentBytePending;

    // ---- closing ----
    /// <summary>The application shut down sending: a FIN follows the data in the ring.</summary>
    internal bool FinRequested;
    internal bool FinSent;
    internal uint FinSequence;

    // ---- timers, RTT and congestion ----
    internal CalloutTaskSet? Timers;
    internal RttEstimator Rtt;
    internal ICongestionControl Congestion = new NewReno();
    internal bool RttTiming;
    internal uint RttSequence;
    internal long RttStartMicros;
    /// <summary>Consecutive retransmission timeouts (t_rxtshift).</summary>
    internal int RetransmitShift;
    internal long LastActivityMicros;
    internal int KeepaliveProbesSent;
    internal long LastReceivedMicros;
    internal bool KeepAlive;
    internal int KeepIdleSeconds = TcpSettings.KeepIdleSeconds;
    internal int KeepIntervalSeconds = TcpSettings.KeepIntervalSeconds;
    internal int KeepCount = TcpSettings.KeepCount;
    internal int PersistShift;
    /// <summary>The last ICMP error (<c>t_softerror</c>): reported instead of ETIMEDOUT if the connection times out.</summary>
    internal Errno SoftError;

    // ---- SACK loss recovery (RFC 2018, RFC 6675) ----
    /// <summary>What the peer SACKed above SND.UNA; made on the first SACK block received.</summary>
    internal TcpSackScoreboard? Scoreboard;
    /// <summary>This recovery's retransmissions, for finding lost retransmissions before the RTO.</summary>
    internal TcpRetransmitLog? RetransmitLog;
    /// <summary>RFC 6675 HighRxt: the highest sequence retransmitted from a hole in this recovery.</summary>
    internal uint HighRetransmitted;
    /// <summary>The recovery just began: SND.UNA's segment goes first (RFC 6675 §5 step 4.3).</summary>
    internal bool RetransmitUnaPending;
    /// <summary>The retransmit timer runs as the tail loss probe timer (RFC 8985 §7; Linux ICSK_TIME_LOSS_PROBE).</summary>
    internal bool ProbeArmed;
    /// <summary>A probe went out and SND.UNA has not moved since (RFC 8985 TLPRxtOut: one probe per episode).</summary>
    internal bool ProbeSent;
    /// <summary>
    /// Every unSACKed byte below this is lost: set when a tail loss probe's SACK shows later data delivered while
    /// earlier data, sent at least a PTO before, is still missing (RACK's time rule, RFC 8985 §6.2, for the case TLP
    /// exists to catch). Never behind SND.UNA.
    /// </summary>
    internal uint LostBelow;
    /// <summary>RFC 6675 DupAcks: ACKs since SND.UNA last moved that SACKed new data or were RFC 5681 duplicates.</summary>
    internal int DuplicateAcks;
    /// <summary>
    /// The reordering this path has shown, in segments: the DupThresh our loss detection uses. Starts at 3 and grows
    /// when a recovery proves spurious (Linux's <c>tp->reordering</c>, RFC 4653's idea).
    /// </summary>
    internal int Reordering = TcpSackScoreboard.DuplicateThreshold;
    /// <summary>Our timestamp when the current recovery began, for RFC 3522 Eifel detection on its first advancing ACK.</summary>
    internal uint RecoveryTimestamp;
    internal bool EifelPending;
    /// <summary>Segments SACKed beyond the hole when the current recovery began: the reordering if it proves spurious.</summary>
    internal int RecoveryReorderEstimate;

    // ---- ACKs ----
    /// <summary>When this connection last answered an out-of-window segment or sent a challenge ACK (RFC 5961 §7).</summary>
    internal long LastInvalidAckMicros;
    internal bool AckNow;
    internal bool OnAckQueue;
    internal int SegmentsSinceAck;

    // ---- reassembly ----
    internal TcpReassemblyQueue? OutOfOrder;

    // ---- the socket's rings, kept so a detached connection can still finish sending ----
    internal NetKit.Runtime.SocketBuffers.ByteRing? SendRing;
    internal NetKit.Runtime.SocketBuffers.ByteRing? ReceiveRing;
    /// <summary>The socket whose rings these are: the protocol's hold on them ends when the connection closes.</summary>
    internal NetSocket? BufferOwner;

    // ---- passive open ----
    /// <summary>The listening socket's accept queue a passive connection reserved a place in.</summary>
    internal AcceptQueue? ListenerQueue;

    /// <summary>The route's device completes transport checksums (set when the connection starts).</summary>
    internal bool ChecksumOffload;

    /// <summary>
    /// Most payload bytes one segment may carry for the device to cut into MSS-sized ones (TSO), or 0 when the route's
    /// device cannot (Linux <c>sk_gso_max_size</c>).
    /// </summary>
    internal int SegmentOffloadLimit;

    // ---- socket options ----
    internal bool NoDelay;
    internal int RequestedMss;

    /// <summary>IP_TTL (0: the stack default).</summary>
    public byte TimeToLive { get; set; }

    /// <summary>IP_TOS.</summary>
    public byte TypeOfService { get; set; }

    internal bool IsSynchronized => State >= TcpConnectionState.Established;

    public override string ToString() => $"tcp {Key} {State} una={SendUnacknowledged} nxt={SendNext} rcv={ReceiveNext}";
}
