using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using NetKit.Appliance.LinuxPeer;
using NetKit.Appliance.Serve;

namespace NetKit.Appliance.Tour;

/// <summary>
/// Linux's own tools inside the peer namespace as the tour's client: iputils <c>ping</c>, <c>curl</c> (timed by its
/// own <c>-w</c> figures) and <c>socat</c> (upload and UDP echo). A missing tool skips the steps that need it.
/// </summary>
public sealed partial class LinuxClient(PeerNamespace peer, TourScratch scratch) : ITourClient
{
    private static readonly TimeSpan TransferLimit = TimeSpan.FromSeconds(180);
    private readonly string _appliance = TourNetwork.ApplianceAddress.ToString();

    /// <summary>The tools the tour uses and the Debian package of each.</summary>
    public static readonly IReadOnlyList<(string Tool, string Package)> Tools =
        [("ping", "iputils-ping"), ("curl", "curl"), ("socat", "socat")];

    public string? SkipReason(TourStep step)
    {
        string tool = step switch
        {
            TourStep.Ping => "ping",
            TourStep.Http => "curl",
            _ => "socat",
        };
        return Tool.Find(tool) is null ? $"{tool} is not on PATH (apt-get install {PackageOf(tool)})" : null;
    }

    public static string PackageOf(string tool)
    {
        foreach (var (name, package) in Tools) if (name == tool) return package;
        return tool;
    }

    public async Task WarmUpAsync()
    {
        // Without ping, the first curl pays for ARP instead.
        if (Tool.Find("ping") is null) return;
        for (int attempt = 0; attempt < 10; attempt++)
        {
            var result = await peer.RunAsync(["ping", "-n", "-c", "1", "-W", "1", _appliance], TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            if (result.Succeeded) break;
        }
        await peer.RunAsync(["ping", "-n", "-c", "1", "-W", "2", "-s", Text(TourExchange.LargePingBytes), _appliance], TimeSpan.FromSeconds(5)).ConfigureAwait(false);
    }

    public async Task<PingResult> PingAsync(int dataBytes, int count)
    {
        // -i 0.05 is below the unprivileged minimum, fine as root; -W 2 bounds the wait for the last reply.
        var result = await peer.RunAsync(["ping", "-n", "-q", "-c", Text(count), "-s", Text(dataBytes), "-i", "0.05", "-W", "2", _appliance],
            TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        var summary = PingSummary().Match(result.StandardOutput);
        if (!summary.Success) throw new TourStepException($"no ping summary: {result}");
        var average = PingAverage().Match(result.StandardOutput);
        return new PingResult(Number(summary.Groups[1].Value), Number(summary.Groups[2].Value),
            average.Success ? double.Parse(average.Groups[1].Value, CultureInfo.InvariantCulture) : null);
    }

    public async Task<HttpResult> GetAsync(string target)
    {
        string body = scratch.File("body");
        try
        {
            var result = await peer.RunAsync(["curl", "-sS", "--noproxy", "*", "--max-time", Text((int)TransferLimit.TotalSeconds), "-o", body,
                "-w", "%{http_code} %{time_total} %{size_download}", $"http://{_appliance}{target}"], TransferLimit + TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            if (!result.Succeeded) throw new TourStepException($"curl failed: {result}");
            var fields = result.StandardOutput.Trim().Split(' ');
            if (fields.Length != 3) throw new TourStepException($"unexpected curl -w output '{result.StandardOutput.Trim()}'");
            byte[] sha;
            using (var file = File.OpenRead(body)) sha = SHA256.HashData(file);
            // curl prints time_total with the C locale's decimal point; a comma would mean some other locale leaked in.
            return new HttpResult(Number(fields[0]), long.Parse(fields[2], CultureInfo.InvariantCulture), sha,
                double.Parse(fields[1].Replace(',', '.'), CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(body); // 64 MiB of RAM on tmpfs
        }
    }

    public async Task<UploadResult> UploadAsync(long bytes)
    {
        string input = scratch.ZeroFile("upload", bytes);
        try
        {
            // Read side: the file, then a half-close; write side: whatever discard sends (nothing) into /dev/null.
            // -t 60 keeps socat until discard's FIN, which it sends after reading the last byte, so the elapsed time
            // covers the whole transfer (and socat's start, a few milliseconds).
            var result = await peer.RunAsync(["socat", "-b", "131072", "-t", "60", $"OPEN:{input},rdonly!!OPEN:/dev/null,wronly",
                $"TCP:{_appliance}:{TourNetwork.Port(ServiceKind.Discard)}"], TransferLimit).ConfigureAwait(false);
            if (!result.Succeeded) throw new TourStepException($"socat failed: {result}");
            return new UploadResult(bytes, result.Elapsed.TotalSeconds);
        }
        finally
        {
            File.Delete(input);
        }
    }

    public async Task<UdpEchoResult> UdpEchoAsync(string message)
    {
        CommandResult? last = null;
        // UDP may lose a datagram: up to three tries. -t 2: socat waits 2 s for the reply after its stdin ends.
        for (int attempt = 0; attempt < 3; attempt++)
        {
            last = await peer.RunAsync(["socat", "-t", "2", "-", $"UDP:{_appliance}:{TourNetwork.Port(ServiceKind.UdpEcho)}"],
                TimeSpan.FromSeconds(20), standardInput: message).ConfigureAwait(false);
            if (last.Succeeded && last.StandardOutput == message) return new UdpEchoResult(true, message.Length, null);
        }
        return new UdpEchoResult(false, message.Length, $"no matching echo after 3 tries: {last}");
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static int Number(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"(\d+) packets transmitted, (\d+) (?:packets )?received")]
    private static partial Regex PingSummary();

    // iputils: "rtt min/avg/max/mdev = a/b/c/d ms"; busybox: "round-trip min/avg/max = a/b/c ms".
    [GeneratedRegex(@"(?:rtt|round-trip) min/avg/max(?:/mdev)? = [\d.]+/([\d.]+)/")]
    private static partial Regex PingAverage();
}
