using System;
using System.Collections.Generic;
using System.Threading;
using NetKit.Drivers.Impairments;
using NetKit.Runtime;
using NetKit.Runtime.Sockets;
using Xunit;

namespace NetKit.Protocols.Tests.EndToEnd;

/// <summary>UDP echo across a link that loses, duplicates, reorders, delays and corrupts frames (seeded, so repeatable).</summary>
public sealed class ImpairedEchoTests
{
    [Fact]
    public void EchoSurvivesImpairmentsWithEveryDeliveredDatagramIntact()
    {
        var impairments = new ImpairmentOptions
        {
            LossProbability = 0.10,
            DuplicationProbability = 0.05,
            ReorderProbability = 0.10,
            Delay = TimeSpan.FromMilliseconds(1),
            Jitter = TimeSpan.FromMilliseconds(1),
            CorruptionProbability = 0.02,
            Seed = 42,
        };
        using var hosts = new TwoHosts(impairA: impairments);
        using var server = NetKitSocket.Create(hosts.B, SocketType.Datagram);
        server.Bind(SockAddr.IPv4(TwoHosts.AddressB.Value, 7));
        using var client = NetKitSocket.Create(hosts.A, SocketType.Datagram);
        client.Connect(SockAddr.IPv4(TwoHosts.AddressB.Value, 7));

        using var stop = new CancellationTokenSource();
        var echo = new Thread(() =>
        {
            var buffer = new byte[2048];
            server.Handle.ReceiveTimeout = TimeSpan.FromMilliseconds(50);
            while (!stop.IsCancellationRequested)
            {
                if (server.TryReceiveFrom(buffer, out int n, out _, out var from) == Errno.None)
                    server.TrySendTo(buffer.AsSpan(0, n), from, out _);
            }
        }) { IsBackground = true };
        echo.Start();

        // Resolve ARP first (retrying through the loss): while it is pending only 16 datagrams are held, and under a
        // loaded machine the burst below would otherwise be mostly dropped before the reply arrives.
        var warm = new byte[2048];
        client.Handle.ReceiveTimeout = TimeSpan.FromMilliseconds(200);
        bool resolved = false;
        for (int attempt = 0; attempt < 50 && !resolved; attempt++)
        {
            client.TrySend(BitConverter.GetBytes(-1), out _);
            resolved = client.TryReceiveFrom(warm, out _, out _, out _) == Errno.None;
        }
        Assert.True(resolved, "no echo came back in 50 attempts");
        while (client.TryReceiveFrom(warm, out _, out _, out _) == Errno.None) { } // late duplicates of the warm-up

        const int count = 300;
        var payload = new byte[200];
        for (int i = 0; i < count; i++)
        {
            Fill(payload, i);
            Assert.Equal(Errno.None, client.TrySend(payload, out _));
            if (i % 20 == 0) Thread.Sleep(1);
        }

        var seen = new HashSet<int>();
        int duplicates = 0;
        var reply = new byte[2048];
        client.Handle.ReceiveTimeout = TimeSpan.FromSeconds(2);
        while (client.TryReceiveFrom(reply, out int n, out _, out _) == Errno.None)
        {
            if (n == 4 && BitConverter.ToInt32(reply) == -1) continue; // a straggling warm-up echo
            Assert.Equal(payload.Length, n);
            int sequence = BitConverter.ToInt32(reply);
            Fill(payload, sequence);
            Assert.True(reply.AsSpan(0, n).SequenceEqual(payload), $"datagram {sequence} arrived damaged");
            if (!seen.Add(sequence)) duplicates++;
        }
        stop.Cancel();
        echo.Join();

        // Requests cross the impaired direction once: about 90% survive loss, fewer after corruption is caught.
        Assert.InRange(seen.Count, count * 6 / 10, count);
        Assert.True(seen.Count < count, "some datagrams should have been lost");
        var counters = hosts.DeviceA.ImpairmentCounters;
        Assert.True(counters.Lost > 0);
        Assert.True(counters.Corrupted > 0);
        Assert.True(duplicates > 0 || counters.Duplicated > 0);
    }

    private static void Fill(byte[] payload, int sequence)
    {
        BitConverter.TryWriteBytes(payload, sequence);
        for (int i = 4; i < payload.Length; i++) payload[i] = (byte)(sequence * 31 + i);
    }
}
