using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using NetKit.Drivers.Capture;
using NetKit.Drivers.Tests.Support;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Timers;
using Xunit;

namespace NetKit.Drivers.Tests.Capture;

public sealed class PcapWriterTests
{
    // 2026-01-02T03:04:05.123456789Z
    private const long Timestamp = 1_767_323_045L * 1_000_000_000 + 123_456_789;

    [Fact]
    public void Microsecond_file_is_byte_for_byte_classic_pcap()
    {
        var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, snapLength: 65535, leaveOpen: true))
        {
            writer.WriteRecord(Timestamp, new byte[] { 0xDE, 0xAD, 0xBE, 0xEF });
            Assert.Equal(1, writer.Records);
        }
        byte[] expected =
        [
            0xD4, 0xC3, 0xB2, 0xA1,             // magic 0xa1b2c3d4, little-endian
            0x02, 0x00, 0x04, 0x00,             // version 2.4
            0x00, 0x00, 0x00, 0x00,             // thiszone
            0x00, 0x00, 0x00, 0x00,             // sigfigs
            0xFF, 0xFF, 0x00, 0x00,             // snaplen 65535
            0x01, 0x00, 0x00, 0x00,             // LINKTYPE_ETHERNET
            0xA5, 0x35, 0x57, 0x69,             // ts_sec 1767323045 = 0x695735A5
            0x40, 0xE2, 0x01, 0x00,             // ts_usec 123456 = 0x0001E240
            0x04, 0x00, 0x00, 0x00,             // incl_len
            0x04, 0x00, 0x00, 0x00,             // orig_len
            0xDE, 0xAD, 0xBE, 0xEF,
        ];
        Assert.Equal(expected, stream.ToArray());
    }

    [Fact]
    public void Nanosecond_file_uses_its_magic_and_keeps_nanoseconds()
    {
        var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, PcapTimestampPrecision.Nanoseconds, leaveOpen: true))
            writer.WriteRecord(Timestamp, new byte[] { 1, 2, 3 });
        var bytes = stream.ToArray();
        Assert.Equal(new byte[] { 0x4D, 0x3C, 0xB2, 0xA1 }, bytes[..4]);       // 0xa1b23c4d
        Assert.Equal(new byte[] { 0x00, 0x00, 0x04, 0x00 }, bytes[16..20]);    // default snaplen 262144
        Assert.Equal(new byte[] { 0x15, 0xCD, 0x5B, 0x07 }, bytes[28..32]);    // 123456789 = 0x075BCD15
        Assert.Equal(24 + 16 + 3, bytes.Length);
    }

    [Fact]
    public void Frames_longer_than_the_snap_length_are_truncated_but_keep_their_length()
    {
        var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, snapLength: 10, leaveOpen: true))
            writer.WriteRecord(0, Enumerable.Range(0, 100).Select(i => (byte)i).ToArray());
        var file = PcapReader.Read(stream.ToArray());
        var record = Assert.Single(file.Records);
        Assert.Equal(10u, file.SnapLength);
        Assert.Equal(100, record.OriginalLength);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i), record.Data);
    }

    [Fact]
    public void Chained_buffers_are_written_as_one_record()
    {
        using var pool = Frames.WarmPool(buffers: 8, bufferSize: 64, headroom: 0);
        var frame = pool.TryRentChain(150, 0)!;
        int value = 0;
        for (var b = frame; b is not null; b = b.Next)
            foreach (ref var x in b.Data) x = (byte)value++;
        var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, leaveOpen: true))
            writer.WriteRecord(0, frame);
        frame.Free();
        var record = Assert.Single(PcapReader.Read(stream.ToArray()).Records);
        Assert.Equal(150, record.OriginalLength);
        Assert.Equal(Enumerable.Range(0, 150).Select(i => (byte)i), record.Data);
    }

    [Fact]
    public void A_capture_follows_its_clock_from_the_start_time_and_filters_directions()
    {
        using var pool = Frames.WarmPool(buffers: 4);
        var clock = new ManualClock(5_000);
        var start = DateTimeOffset.FromUnixTimeSeconds(1_000_000);
        var stream = new MemoryStream();
        var capture = new PcapCapture(stream, new PcapCaptureOptions
        {
            Directions = CaptureDirection.Receive,
            Clock = clock,
            StartTime = start,
            Precision = PcapTimestampPrecision.Nanoseconds,
            LeaveOpen = true,
        });
        var frame = pool.TryRent()!;
        frame.Append(60).Fill(7);
        capture.Capture(CaptureDirection.Receive, frame);
        clock.Advance(TimeSpan.FromMilliseconds(1.5));
        capture.Capture(CaptureDirection.Transmit, frame);  // filtered out
        capture.Capture(CaptureDirection.Receive, frame);
        capture.Dispose();
        capture.Capture(CaptureDirection.Receive, frame);   // after dispose: ignored
        frame.Free();
        var file = PcapReader.Read(stream.ToArray());
        Assert.Equal(2, capture.Frames);
        Assert.Equal([(1_000_000u, 0u), (1_000_000u, 1_500_000u)], file.Records.Select(r => (r.Seconds, r.Fraction)));
    }

    /// <summary>tshark (Wireshark) reads our files: microsecond and nanosecond variants, frame lengths as written.</summary>
    [ToolFact("tshark")]
    public void Tshark_reads_the_files()
    {
        int[] lengths = [60, 61, 1514, 64, 200];
        foreach (var precision in new[] { PcapTimestampPrecision.Microseconds, PcapTimestampPrecision.Nanoseconds })
        {
            var path = Path.Combine(Path.GetTempPath(), $"netkit-{Guid.NewGuid():N}.pcap");
            try
            {
                using (var writer = new PcapWriter(File.Create(path), precision))
                {
                    for (int i = 0; i < lengths.Length; i++)
                    {
                        var frame = Frames.Expected(Frames.Mac(2), Frames.Mac(1), Frames.Ip(1), Frames.Ip(2), 1000, 53, (uint)i, lengths[i]);
                        writer.WriteRecord(Timestamp + i * 1_000_000L, frame);
                    }
                }
                var output = Run(ToolFactAttribute.Find("tshark")!, $"-r \"{path}\" -T fields -e frame.len");
                Assert.Equal(lengths, output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse));
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    private static string Run(string program, string arguments)
    {
        var info = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "tshark finished");
        Assert.True(process.ExitCode == 0, $"tshark exited {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }
}
