namespace NetKit.Runtime.Protocols;

/// <summary>
/// Per-stack state of a protocol (its per-CPU pcb tables, ARP caches, reassembly queues): protocols are static
/// classes shared by every stack in the process, so what belongs to one stack hangs off the stack, reached with
/// <see cref="NetStack.State{T}"/>.
/// </summary>
public interface IProtocolState<TSelf> where TSelf : class, IProtocolState<TSelf>
{
    /// <summary>Creates the state for <paramref name="stack"/> on first use.</summary>
    static abstract TSelf Create(NetStack stack);
}
