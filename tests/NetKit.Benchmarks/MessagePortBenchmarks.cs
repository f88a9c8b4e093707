using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using NetKit.Runtime;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Threading;

namespace NetKit.Benchmarks;

/// <summary>
/// Cross-thread messaging: NetKit's port against <see cref="Channel{T}"/> (unbounded, single reader), with the
/// same work on both sides: the producer cycles a window of reusable items, the consumer marks each one done.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory), CategoriesColumn]
public class MessagePortBenchmarks
{
    public const int Batch = 100_000;
    private const int Window = 1024;

    private ProtocolThreadGroup _group = null!;
    private MessagePort _port = null!;
    private PingMsg[] _messages = null!;
    private PingMsg _roundTrip = null!;

    private Channel<Item> _channel = null!;
    private Channel<Item> _requests = null!;
    private Channel<Item> _responses = null!;
    private Item[] _items = null!;
    private Item _roundTripItem = null!;
    private long _sent;

    private sealed unsafe class PingMsg : NetMsg
    {
        public PingMsg() : base(&Handle) { }
        private static void Handle(NetMsg msg) => msg.Reply();
    }

    public sealed class Item
    {
        public int Done = 1;
    }

    // Each benchmark gets only its own consumer thread on the consumer CPU: idle consumers spinning there would
    // steal the CPU from the one being measured.
    [GlobalSetup(Targets = [nameof(NetKitPort_OneWay), nameof(NetKitPort_RoundTripAsync), nameof(NetKitPort_RoundTripSync)])]
    public void SetupNetKit()
    {
        BenchmarkThreads.PinProducer();
        _group = BenchmarkThreads.StartProtocolThread();
        _port = _group[0].Port;
        _messages = new PingMsg[Window];
        for (int i = 0; i < Window; i++) _messages[i] = new PingMsg();
        _roundTrip = new PingMsg();
    }

    [GlobalSetup(Target = nameof(Channel_OneWay))]
    public void SetupChannelOneWay()
    {
        BenchmarkThreads.PinProducer();
        _channel = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
        _items = new Item[Window];
        for (int i = 0; i < Window; i++) _items[i] = new Item();
        BenchmarkThreads.StartConsumer("channel one-way consumer", () => Consume(_channel.Reader, null));
    }

    [GlobalSetup(Target = nameof(Channel_RoundTrip))]
    public void SetupChannelRoundTrip()
    {
        BenchmarkThreads.PinProducer();
        _requests = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _responses = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _roundTripItem = new Item();
        BenchmarkThreads.StartConsumer("channel echo", () => Consume(_requests.Reader, _responses.Writer));
    }

    /// <summary>The channel consumer: drain, mark done (or echo), spin briefly, then block like a parked thread.</summary>
    private static void Consume(ChannelReader<Item> reader, ChannelWriter<Item>? echo)
    {
        while (true)
        {
            int idle = 0;
            while (idle < 256)
            {
                if (reader.TryRead(out var item))
                {
                    if (echo is null) Volatile.Write(ref item.Done, 1);
                    else echo.TryWrite(item);
                    idle = 0;
                }
                else
                {
                    idle++;
                    Thread.SpinWait(8);
                }
            }
            var wait = reader.WaitToReadAsync();
            if (!(wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult())) return;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _channel?.Writer.Complete();
        _requests?.Writer.Complete();
        _group?.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Batch, Baseline = true), BenchmarkCategory("one-way")]
    public void Channel_OneWay()
    {
        var writer = _channel.Writer;
        for (int i = 0; i < Batch; i++)
        {
            var item = _items[_sent++ & (Window - 1)];
            while (Volatile.Read(ref item.Done) == 0) Thread.SpinWait(1);
            item.Done = 0;
            writer.TryWrite(item);
        }
        foreach (var item in _items) while (Volatile.Read(ref item.Done) == 0) Thread.SpinWait(1);
    }

    [Benchmark(OperationsPerInvoke = Batch), BenchmarkCategory("one-way")]
    public void NetKitPort_OneWay()
    {
        var port = _port;
        for (int i = 0; i < Batch; i++)
        {
            var msg = _messages[_sent++ & (Window - 1)];
            while (!msg.IsDone) Thread.SpinWait(1);
            port.Send(msg);
        }
        foreach (var msg in _messages) while (!msg.IsDone) Thread.SpinWait(1);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("round-trip")]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> Channel_RoundTrip()
    {
        await _requests.Writer.WriteAsync(_roundTripItem);
        return (await _responses.Reader.ReadAsync()).Done;
    }

    [Benchmark, BenchmarkCategory("round-trip")]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Errno> NetKitPort_RoundTripAsync() => await _port.DoAsync(_roundTrip);

    [Benchmark, BenchmarkCategory("round-trip")]
    public Errno NetKitPort_RoundTripSync() => _port.Do(_roundTrip);
}
