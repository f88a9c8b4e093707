using System;
using System.Linq;
using System.Threading;
using NetKit.Generators.TestProtocols;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Threading;
using Xunit;

namespace NetKit.Generators.Tests.Behaviour;

/// <summary>Per-stack protocol state: one instance per stack and type, created once even under a race.</summary>
public sealed class ProtocolStateTests : IDisposable
{
    private readonly ProtocolThreadGroup _threads = new(new ProtocolThreadOptions { ThreadCount = 1, PinThreads = false });

    public void Dispose() => _threads.Dispose();

    private sealed class CountingState : IProtocolState<CountingState>
    {
        public static int Created;

        public CountingState(NetStack stack) => Stack = stack;

        public NetStack Stack { get; }

        public static CountingState Create(NetStack stack)
        {
            Interlocked.Increment(ref Created);
            return new CountingState(stack);
        }
    }

    private sealed class OtherState : IProtocolState<OtherState>
    {
        public static OtherState Create(NetStack stack) => new();
    }

    [Fact]
    public void EachStackGetsItsOwnInstancePerType()
    {
        var first = new TestStack(_threads);
        var second = new TestStack(_threads);
        var a = first.State<CountingState>();
        Assert.Same(a, first.State<CountingState>());
        Assert.Same(first, a.Stack);
        Assert.NotSame(a, second.State<CountingState>());
        Assert.NotNull(first.State<OtherState>());
        Assert.Same(a, first.State<CountingState>());
    }

    [Fact]
    public void ConcurrentFirstUseYieldsOneInstance()
    {
        for (int round = 0; round < 20; round++)
        {
            var stack = new TestStack(_threads);
            var seen = new CountingState[4];
            using var start = new Barrier(seen.Length);
            var threads = Enumerable.Range(0, seen.Length).Select(i => new Thread(() =>
            {
                start.SignalAndWait();
                seen[i] = stack.State<CountingState>();
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.All(seen, s => Assert.Same(seen[0], s));
        }
    }
}
