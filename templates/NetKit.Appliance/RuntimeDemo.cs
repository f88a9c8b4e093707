using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using NetKit.Runtime;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Hashing;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.SocketBuffers;
using NetKit.Runtime.Threading;

namespace NetKit.Appliance;

/// <summary>
/// A short tour of the runtime that measures what it does: cross-thread messages, synchronous round trips,
/// the socket-buffer ring, flow hashing and packet buffers. Figures are from this run on this machine.
/// </summary>
internal static unsafe class RuntimeDemo
{
    public static int Run(string[] args)
    {
        double seconds = 1.0;
        var options = new ProtocolThreadOptions();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--seconds" && i + 1 < args.Length &&
                double.TryParse(args[++i], NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 && s <= 60)
            {
                seconds = s;
            }
            else if (args[i] == "--cpus" && i + 1 < args.Length &&
                int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var cpus) && cpus is >= 1 and <= ProtocolThreadOptions.MaxThreads)
            {
                options.ThreadCount = cpus;
            }
            else if (args[i] == "--app-cpu" && i + 1 < args.Length &&
                int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var appCpu))
            {
                int error = CpuAffinity.PinCurrentThread(appCpu);
                if (error != 0)
                {
                    Console.Error.WriteLine($"demo: cannot pin the application thread to CPU {appCpu} (errno {error})");
                    return 2;
                }
            }
            else if (args[i] == "--no-pin")
            {
                options.PinThreads = false;
            }
            else
            {
                Console.Error.WriteLine($"demo: unknown or invalid argument '{args[i]}' (expected --seconds N with 0 < N <= 60, --cpus N with 1 <= N <= 128, --app-cpu N, --no-pin)");
                return 2;
            }
        }

        using var group = new ProtocolThreadGroup(options).Start();
        group.Sync();
        Console.WriteLine($"NetKit runtime demo: {group.Count} protocol thread(s) on {Environment.ProcessorCount} CPU(s), .NET {Environment.Version}");
        for (int i = 0; i < group.Count; i++)
            Console.WriteLine($"  netisr {i}: cpu {group[i].Cpu}, {(group[i].IsPinned ? "pinned" : $"not pinned (errno {group[i].PinError})")}");
        Console.WriteLine();
        Console.WriteLine($"{"measurement",-52} {"result",20}");
        Console.WriteLine(new string('-', 73));

        var target = group[group.Count - 1];
        Report("one-way messages, app thread -> protocol thread", $"{OneWay(target, seconds) / 1e6:F2} M msg/s");
        var (median, p99) = RoundTrip(target, seconds);
        Report("Do() round trip, app thread <-> protocol thread", $"p50 {median:F2} us, p99 {p99:F2} us");
        Report("socket-buffer ring, 64 KiB chunks, two threads", $"{RingThroughput(65536, seconds) / 1e9:F2} GB/s");
        Report("socket-buffer ring, 1 KiB chunks, two threads", $"{RingThroughput(1024, seconds) / 1e9:F2} GB/s");
        Report("Toeplitz 4-tuple hash, one thread", $"{HashRate(seconds) / 1e6:F1} M hash/s");
        Report("packet buffer rent+free on its protocol thread", $"{BufferRate(target, seconds) / 1e6:F1} M pairs/s");
        Console.WriteLine();
        Console.WriteLine($"protocol thread {target.Index}: {target.MessagesProcessed} messages in {target.Batches} batches, parked {target.Parks} times");
        return 0;
    }

    private static void Report(string what, string result) => Console.WriteLine($"{what,-52} {result,20}");

    private sealed class PingMsg : NetMsg
    {
        public PingMsg() : base(&Handle) { }
        private static void Handle(NetMsg msg) => msg.Reply();
    }

    /// <summary>Embedded, reusable messages cycled through a window: the steady state allocates nothing.</summary>
    private static double OneWay(ProtocolThread target, double seconds)
    {
        var window = new PingMsg[1024];
        for (int i = 0; i < window.Length; i++) window[i] = new PingMsg();
        var port = target.Port;
        long sent = 0;
        var sw = Stopwatch.StartNew();
        long deadline = (long)(seconds * Stopwatch.Frequency);
        while (sw.ElapsedTicks < deadline)
        {
            for (int k = 0; k < 4096; k++)
            {
                var m = window[sent & (window.Length - 1)];
                while (!m.IsDone) Thread.SpinWait(1);
                port.Send(m);
                sent++;
            }
        }
        foreach (var m in window) while (!m.IsDone) Thread.SpinWait(1);
        return sent / sw.Elapsed.TotalSeconds;
    }

    private static (double medianUs, double p99Us) RoundTrip(ProtocolThread target, double seconds)
    {
        var msg = new PingMsg();
        var samples = new long[200_000];
        int n = 0;
        var total = Stopwatch.StartNew();
        while (n < samples.Length && total.Elapsed.TotalSeconds < seconds)
        {
            long t0 = Stopwatch.GetTimestamp();
            target.Port.Do(msg);
            samples[n++] = Stopwatch.GetTimestamp() - t0;
        }
        Array.Sort(samples, 0, n);
        double toUs = 1e6 / Stopwatch.Frequency;
        return (samples[n / 2] * toUs, samples[(int)(n * 0.99)] * toUs);
    }

    private static double RingThroughput(int chunk, double seconds)
    {
        var ring = new ByteRing(Math.Max(4 * chunk, 256 * 1024));
        long received = 0;
        var reader = new Thread(() =>
        {
            var sink = new byte[chunk];
            while (true)
            {
                int n = ring.Read(sink);
                if (n > 0) { received += n; continue; }
                if (!ring.WaitForData(1) && ring.IsCompleted) break;
            }
        }) { IsBackground = true };
        reader.Start();
        var data = new byte[chunk];
        var sw = Stopwatch.StartNew();
        long deadline = (long)(seconds * Stopwatch.Frequency);
        while (sw.ElapsedTicks < deadline)
        {
            int off = 0;
            while (off < chunk)
            {
                int w = ring.Write(data.AsSpan(off));
                if (w == 0) ring.WaitForSpace(Math.Min(chunk - off, ring.Capacity / 2));
                off += w;
            }
        }
        ring.CompleteWriting();
        reader.Join();
        return received / sw.Elapsed.TotalSeconds;
    }

    private static double HashRate(double seconds)
    {
        var toeplitz = ToeplitzHash.Symmetric;
        uint acc = 0;
        long n = 0;
        var sw = Stopwatch.StartNew();
        long deadline = (long)(seconds * Stopwatch.Frequency);
        while (sw.ElapsedTicks < deadline)
        {
            for (uint i = 0; i < 65536; i++)
                acc ^= toeplitz.HashIPv4(0x0a000001u + i, 0x0a000002u, (ushort)i, 80);
            n += 65536;
        }
        GC.KeepAlive(acc);
        return n / sw.Elapsed.TotalSeconds;
    }

    private sealed class BufferLoopMsg : NetMsg
    {
        public BufferLoopMsg() : base(&Handle) { }
        public double Seconds;
        public double Rate;

        private static void Handle(NetMsg msg)
        {
            var m = (BufferLoopMsg)msg;
            var pool = ProtocolThread.Current!.Buffers;
            long n = 0;
            var sw = Stopwatch.StartNew();
            long deadline = (long)(m.Seconds * Stopwatch.Frequency);
            while (sw.ElapsedTicks < deadline)
            {
                for (int i = 0; i < 4096; i++)
                {
                    var b = pool.TryRent();
                    b?.Free();
                }
                n += 4096;
            }
            m.Rate = n / sw.Elapsed.TotalSeconds;
            msg.Reply();
        }
    }

    private static double BufferRate(ProtocolThread target, double seconds)
    {
        var msg = new BufferLoopMsg { Seconds = seconds };
        return target.Port.Do(msg) == Errno.None ? msg.Rate : double.NaN;
    }
}
