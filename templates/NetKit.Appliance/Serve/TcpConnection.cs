using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using NetKit.Runtime;
using NetKit.Runtime.SocketBuffers;
using NetKit.Runtime.Sockets;

namespace NetKit.Appliance.Serve;

/// <summary>
/// One accepted connection of a <see cref="TcpService"/>. Receives and sends try the socket's rings without waiting
/// (the socket is non-blocking) and, only when that would block, await the ring's own signal. Those waits are pooled
/// and the signal completes without allocating, so a connection in steady state allocates nothing per request (the
/// socket's general async calls would allocate a state machine per wait).
/// </summary>
public sealed class TcpConnection : IDisposable
{
    private readonly ByteRing? _receive;
    private readonly ByteRing? _send;
    // Per connection, not per service: every wait registers on it, and one shared source would be a lock that all
    // connections' waits contend on. Stop cancels each connection's.
    private readonly CancellationTokenSource _cancellation = new();
    private long _bytesIn, _bytesOut, _requests;

    internal TcpConnection(NetKitSocket socket)
    {
        Socket = socket;
        socket.Blocking = false;
        _receive = socket.Handle.ReceiveBuffer;
        _send = socket.Handle.SendBuffer;
    }

    public NetKitSocket Socket { get; }

    /// <summary>Cancelled when the service stops (or a lingering close runs out of time).</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>The task serving this connection (set by the service as it starts it).</summary>
    internal Task Completion { get; set; } = Task.CompletedTask;

    // Written only by the connection's own (sequential) serving code; read as a snapshot by the counters.
    public long BytesIn => Volatile.Read(ref _bytesIn);
    public long BytesOut => Volatile.Read(ref _bytesOut);
    public long Requests => Volatile.Read(ref _requests);

    public void CountRequest() => Volatile.Write(ref _requests, _requests + 1);

    /// <summary>Bytes received into <paramref name="buffer"/>: 0 at the peer's FIN, −1 when the connection failed.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer)
    {
        if (_receive is null || buffer.IsEmpty) return -1;
        while (true)
        {
            var error = Socket.TryReceive(buffer.Span, out int received);
            if (error == Errno.None)
            {
                Volatile.Write(ref _bytesIn, _bytesIn + received);
                return received;
            }
            if (error != Errno.EAGAIN) return -1;
            await _receive.WaitForDataAsync(1, _cancellation.Token).ConfigureAwait(false);
        }
    }

    /// <summary>Sends all of <paramref name="data"/>, waiting for room as needed; false when the connection failed.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> SendAsync(ReadOnlyMemory<byte> data)
    {
        if (_send is null) return false;
        int sent = 0;
        while (true)
        {
            var error = Socket.TrySend(data.Span[sent..], out int written);
            if (error == Errno.None)
            {
                sent += written;
                Volatile.Write(ref _bytesOut, _bytesOut + written);
                if (sent == data.Length) return true;
            }
            else if (error != Errno.EAGAIN)
            {
                return false;
            }
            // Wait for a quarter of the ring (or the rest): fewer, larger copies than waking for every ACK.
            int wanted = Math.Min(data.Length - sent, _send.Capacity / 4);
            if (!await _send.WaitForSpaceAsync(wanted, _cancellation.Token).ConfigureAwait(false)) return false; // reader gone
        }
    }

    /// <summary>
    /// Ends the connection politely: FIN after what is queued, then read and drop whatever the peer still sends until
    /// it closes too, for at most <paramref name="timeout"/>. Closing with unread data would reset the connection and
    /// could destroy the response the peer has not read yet (nginx's lingering close).
    /// </summary>
    public async Task LingeringCloseAsync(Memory<byte> scratch, TimeSpan timeout)
    {
        if (Socket.TryShutdown(System.Net.Sockets.SocketShutdown.Send) != Errno.None) return;
        _cancellation.CancelAfter(timeout);
        while (await ReceiveAsync(scratch).ConfigureAwait(false) > 0)
        {
        }
    }

    /// <summary>Asks the serving code to stop: its pending wait throws <see cref="OperationCanceledException"/>.</summary>
    public void Cancel()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }
    }

    public void Dispose()
    {
        Socket.Dispose();
        _cancellation.Dispose();
    }
}
