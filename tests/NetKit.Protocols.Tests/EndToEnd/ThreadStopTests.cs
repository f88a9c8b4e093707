using System;
using System.Threading;
using System.Threading.Tasks;
using NetKit.Protocols.Stacks;
using NetKit.Runtime;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Sockets;
using NetKit.Runtime.Threading;
using Xunit;

namespace NetKit.Protocols.Tests.EndToEnd;

/// <summary>
/// Stopping the protocol threads while a request is suspended in a table chain (bind's wildcard insert travelling
/// 0 → 1): the caller gets ESHUTDOWN instead of waiting forever.
/// </summary>
public sealed class ThreadStopTests
{
    /// <summary>Holds a protocol thread until released, so a chain queues up behind it.</summary>
    private sealed unsafe class Blocker : NetMsg
    {
        public readonly ManualResetEventSlim Entered = new();
        public readonly ManualResetEventSlim Release = new();

        public Blocker() : base(&Run) { }

        private static void Run(NetMsg message)
        {
            var blocker = (Blocker)message;
            blocker.Entered.Set();
            blocker.Release.Wait(TimeSpan.FromSeconds(30));
            message.Reply();
        }
    }

    [Fact]
    public async Task ABindWhoseChainIsCutByStopIsAnsweredWithShutdown()
    {
        var threads = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 2 }).Start();
        try
        {
            var stack = new InetStack(threads);
            var socket = NetKitSocket.Create(stack, SocketType.Datagram);
            var blocker = new Blocker();
            threads[1].Port.Send(blocker);
            Assert.True(blocker.Entered.Wait(TimeSpan.FromSeconds(30)));

            // The wildcard insert must reach thread 1, which is held: the bind cannot finish before the stop.
            var bind = Task.Run(() => socket.TryBind(SockAddr.IPv4(0, 5353)));
            await Task.Delay(50);
            Assert.False(bind.IsCompleted);

            var stop = Task.Run(threads.Dispose);
            // Release the held thread only once the stop is requested: it must not run the chain after that.
            Assert.True(SpinWait.SpinUntil(() => !threads[1].IsRunning, TimeSpan.FromSeconds(30)));
            blocker.Release.Set();

            var result = await bind.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(Errno.ESHUTDOWN, result);
            await stop.WaitAsync(TimeSpan.FromSeconds(30));
            socket.Dispose(); // after the stop: refused, not hung
        }
        finally
        {
            threads.Dispose();
        }
    }
}
