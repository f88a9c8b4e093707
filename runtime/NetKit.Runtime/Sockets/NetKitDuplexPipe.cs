using System;
using System.IO.Pipelines;

namespace NetKit.Runtime.Sockets;

/// <summary>
/// An <see cref="IDuplexPipe"/> over a connected stream socket (the shape Kestrel transports and protocol parsers
/// consume), built on System.IO.Pipelines' own stream adapters over <see cref="NetKitStream"/>. The writer's
/// flush completes only once the bytes are in the send ring, so a slow peer slows the producer down (back-pressure
/// from the ring, then from the peer's window). Completing the output sends FIN.
/// </summary>
public sealed class NetKitDuplexPipe : IDuplexPipe, IAsyncDisposable
{
    private readonly NetKitStream _stream;

    public NetKitDuplexPipe(NetKitSocket socket, int minimumReadSize = 16 * 1024)
    {
        _stream = new NetKitStream(socket, ownsSocket: true);
        Input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: minimumReadSize, minimumReadSize: Math.Min(minimumReadSize, 4096), leaveOpen: true));
        Output = new FinOnCompleteWriter(PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true)), socket);
    }

    public PipeReader Input { get; }

    public PipeWriter Output { get; }

    public NetKitSocket Socket => _stream.Socket;

    /// <summary>Delegates to the stream writer; completing it flushes what is left and shuts the socket's sending side (FIN).</summary>
    private sealed class FinOnCompleteWriter(PipeWriter inner, NetKitSocket socket) : PipeWriter
    {
        public override void Advance(int bytes) => inner.Advance(bytes);
        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);
        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
        public override void CancelPendingFlush() => inner.CancelPendingFlush();
        public override System.Threading.Tasks.ValueTask<FlushResult> FlushAsync(System.Threading.CancellationToken cancellationToken = default) =>
            inner.FlushAsync(cancellationToken);

        public override void Complete(Exception? exception = null)
        {
            inner.Complete(exception);
            socket.TryShutdown(System.Net.Sockets.SocketShutdown.Send);
        }

        public override async System.Threading.Tasks.ValueTask CompleteAsync(Exception? exception = null)
        {
            await inner.CompleteAsync(exception).ConfigureAwait(false);
            socket.TryShutdown(System.Net.Sockets.SocketShutdown.Send);
        }
    }

    public async System.Threading.Tasks.ValueTask DisposeAsync()
    {
        await Output.CompleteAsync().ConfigureAwait(false);
        await Input.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
