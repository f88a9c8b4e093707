using System;
using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using NetKit.Runtime.SocketBuffers;

namespace NetKit.Benchmarks;

/// <summary>
/// Moving 16 MiB from a writer thread to a reader thread: NetKit's <see cref="ByteRing"/> against
/// <see cref="Pipe"/>, both with 1 MiB of buffering, both copying each chunk in and out.
/// </summary>
public class SocketRingBenchmarks
{
    private const long BytesPerInvoke = 16L << 20;
    private const int Buffering = 1 << 20;

    [Params(64, 1024, 65536)]
    public int Chunk { get; set; }

    private byte[] _data = null!;
    private ByteRing _ring = null!;
    private Pipe _pipe = null!;
    private long _ringReceived, _pipeReceived;

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkThreads.PinProducer();
        _data = new byte[Chunk];
        new Random(1).NextBytes(_data);
        _ring = new ByteRing(Buffering);
        BenchmarkThreads.StartConsumer("ring reader", RingReader);
        // Writer continuations go to the thread pool, as the ring's do (an inline writer continuation would run the
        // benchmark loop on the reader thread).
        _pipe = new Pipe(new PipeOptions(pauseWriterThreshold: Buffering, resumeWriterThreshold: Buffering / 2,
            readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.ThreadPool, useSynchronizationContext: false));
        BenchmarkThreads.StartConsumer("pipe reader", PipeReaderLoop);
    }

    private void RingReader()
    {
        var sink = new byte[Chunk];
        while (true)
        {
            int n = _ring.Read(sink);
            if (n > 0)
            {
                Volatile.Write(ref _ringReceived, _ringReceived + n);
                continue;
            }
            if (!_ring.WaitForData(1) && _ring.IsCompleted) return;
        }
    }

    private void PipeReaderLoop()
    {
        var sink = new byte[Chunk];
        var reader = _pipe.Reader;
        while (true)
        {
            var pending = reader.ReadAsync();
            var result = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
            var buffer = result.Buffer;
            long consumed = 0;
            // Copy out in Chunk-sized reads, as the ring reader does.
            while (consumed < buffer.Length)
            {
                int n = (int)Math.Min(sink.Length, buffer.Length - consumed);
                buffer.Slice(consumed, n).CopyTo(sink);
                consumed += n;
            }
            reader.AdvanceTo(buffer.End);
            Volatile.Write(ref _pipeReceived, _pipeReceived + consumed);
            if (result.IsCompleted) return;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ring.CompleteWriting();
        _pipe.Writer.Complete();
    }

    [Benchmark(Baseline = true)]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask Pipe_16MiB()
    {
        long target = Volatile.Read(ref _pipeReceived) + BytesPerInvoke;
        var writer = _pipe.Writer;
        for (long sent = 0; sent < BytesPerInvoke; sent += Chunk)
        {
            _data.CopyTo(writer.GetSpan(Chunk));
            writer.Advance(Chunk);
            await writer.FlushAsync();
        }
        while (Volatile.Read(ref _pipeReceived) < target) Thread.SpinWait(16);
    }

    [Benchmark]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask NetKitRing_16MiB()
    {
        long target = Volatile.Read(ref _ringReceived) + BytesPerInvoke;
        var ring = _ring;
        for (long sent = 0; sent < BytesPerInvoke; sent += Chunk)
        {
            int off = 0;
            while (off < Chunk)
            {
                int n = ring.Write(_data.AsSpan(off));
                off += n;
                if (n == 0) await ring.WaitForSpaceAsync(Math.Min(Chunk - off, Buffering / 4));
            }
        }
        while (Volatile.Read(ref _ringReceived) < target) Thread.SpinWait(16);
    }
}
