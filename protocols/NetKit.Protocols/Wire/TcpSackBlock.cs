namespace NetKit.Protocols.Wire;

/// <summary>
/// One SACK block (RFC 2018 §3): <see cref="Left"/> is the first sequence number of a received block and
/// <see cref="Right"/> the sequence number just after its last byte.
/// </summary>
public readonly record struct TcpSackBlock(uint Left, uint Right)
{
    public override string ToString() => $"{Left}-{Right}";
}
