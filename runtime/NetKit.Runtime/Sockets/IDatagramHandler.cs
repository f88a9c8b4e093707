using System;

namespace NetKit.Runtime.Sockets;

/// <summary>
/// A run-to-completion datagram service: the protocol thread that receives a datagram for the socket calls
/// <see cref="OnDatagram"/> directly instead of queueing the datagram for an application thread (DragonFly's
/// <c>so_upcall</c>, taken to its end: the service runs where the packet is, as Seastar's and mTCP's applications do).
/// No thread hand-off and no copy into a receive ring; the reply leaves from the same thread.
/// </summary>
/// <remarks>
/// Runs on a protocol thread, possibly on several at once (an unconnected socket receives on every thread), so an
/// implementation keeps per-thread state or none. It must not block, and must not call blocking socket APIs (the
/// deadlock rule refuses them with EDEADLK). <paramref name="payload"/> is valid only during the call. An exception is
/// caught, counted and the datagram dropped.
/// </remarks>
public interface IDatagramHandler
{
    /// <summary>One datagram for the socket; <paramref name="reply"/> sends back to its source from this thread.</summary>
    void OnDatagram(ReadOnlySpan<byte> payload, in DatagramReply reply);
}
