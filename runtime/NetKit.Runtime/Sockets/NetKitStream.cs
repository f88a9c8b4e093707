using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace NetKit.Runtime.Sockets;

/// <summary>
/// A <see cref="Stream"/> over a connected stream socket, for code written against streams (SslStream, HTTP
/// clients, serializers). Reads return what the receive ring holds (0 at the peer's FIN); writes copy into the send
/// ring and wait for room, which is the back-pressure. Disposing shuts the sending side down (FIN) and, when the
/// stream owns the socket, closes it.
/// </summary>
public sealed class NetKitStream : Stream
{
    private readonly NetKitSocket _socket;
    private readonly bool _ownsSocket;
    private int _disposed;

    public NetKitStream(NetKitSocket socket, bool ownsSocket = true)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (socket.Handle.Type != SocketType.Stream) throw new ArgumentException("The socket is not a stream socket.", nameof(socket));
        _socket = socket;
        _ownsSocket = ownsSocket;
    }

    public NetKitSocket Socket => _socket;

    public override bool CanRead => Volatile.Read(ref _disposed) == 0;
    public override bool CanWrite => Volatile.Read(ref _disposed) == 0;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _socket.Receive(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _socket.ReceiveAsync(buffer, cancellationToken);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        while (!buffer.IsEmpty) buffer = buffer[_socket.Send(buffer)..];
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        while (!buffer.IsEmpty) buffer = buffer[await _socket.SendAsync(buffer, cancellationToken).ConfigureAwait(false)..];
    }

    /// <summary>Nothing to flush: bytes in the send ring are already the protocol's to send.</summary>
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _socket.TryShutdown(System.Net.Sockets.SocketShutdown.Send);
            if (_ownsSocket) _socket.Dispose();
        }
        base.Dispose(disposing);
    }
}
