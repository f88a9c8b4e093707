using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using NetKit.Appliance.LinuxPeer;
using NetKit.Appliance.Serve;
using NetKit.Drivers.Tap;

namespace NetKit.Appliance.Tour;

/// <summary>
/// The tour on a real interface: the appliance on a TAP (10.213.0.1/24), the TAP's kernel side moved into a private
/// network namespace as 10.213.0.2/24, and Linux's own tools there as the client. Nothing touches the machine's
/// own namespace beyond the TAP's short life in it before the move.
/// </summary>
public sealed class TapTour : ITourLink
{
    private static int s_runs;
    private readonly TapDevice _device;
    private readonly PeerNamespace _peer;
    private readonly TourScratch _scratch;

    private TapTour(ApplianceHost host, TapDevice device, PeerNamespace peer, TourScratch scratch)
    {
        Host = host;
        _device = device;
        _peer = peer;
        _scratch = scratch;
        Client = new LinuxClient(peer, scratch);
    }

    public string Kind => "tap";

    public ApplianceHost Host { get; }

    public ITourClient Client { get; }

    /// <summary>True when this process can create a TAP and a namespace (root, /dev/net/tun, ip); else why not.</summary>
    public static bool IsAvailable(out string reason)
    {
        if (!OperatingSystem.IsLinux())
        {
            reason = "not Linux";
            return false;
        }
        if (!Privileges.IsRoot)
        {
            reason = "not root";
            return false;
        }
        if (!TapDevice.IsAvailable(out reason)) return false;
        if (Tool.Find("ip") is null)
        {
            reason = "'ip' is not on PATH: apt-get install iproute2";
            return false;
        }
        reason = "";
        return true;
    }

    /// <summary>
    /// The TAP name: <c>nktour</c> and the PID in hex (a second run in one process adds <c>-N</c>), cut to the
    /// kernel's 15 bytes.
    /// </summary>
    public static string TapName()
    {
        int run = Interlocked.Increment(ref s_runs);
        string name = $"nktour{Environment.ProcessId:x}" + (run > 1 ? $"-{run}" : "");
        return Encoding.UTF8.GetByteCount(name) <= 15 ? name : name[..15];
    }

    /// <summary>Sets everything up; on failure undoes what was done and throws with what went wrong.</summary>
    public static TapTour Start()
    {
        var options = TourNetwork.ApplianceOptions(pinThreads: true);
        var undo = new List<IDisposable>();
        try
        {
            var scratch = new TourScratch();
            undo.Add(scratch);
            var device = new TapDevice(new TapDeviceOptions
            {
                Name = TapName(),
                HardwareAddress = options.HardwareAddress,
                Mtu = ServeOptions.Mtu,
            });
            var host = ApplianceHost.Start(options, device, TextWriter.Null); // owns the device, disposes it on failure
            undo.Add(host);
            var peer = PeerNamespace.Create("nktour");
            undo.Add(peer);
            // The descriptors survive the move; the TAP comes back down in the namespace and AdoptLink raises it.
            peer.AdoptLink(device.Name, $"{TourNetwork.ClientAddress}/{TourNetwork.PrefixLength}");
            return new TapTour(host, device, peer, scratch);
        }
        catch
        {
            for (int i = undo.Count - 1; i >= 0; i--) undo[i].Dispose();
            throw;
        }
    }

    public void Describe(TourReport report)
    {
        report.Fact("link", $"TAP {_device.Name}: appliance {TourNetwork.ApplianceAddress}/{TourNetwork.PrefixLength} " +
            $"({Host.Threads.Count} protocol threads, {_device.QueueCount} queues) <-> Linux {TourNetwork.ClientAddress}/{TourNetwork.PrefixLength} " +
            $"in namespace {_peer.Name}");
        report.Fact("offloads", _device.NegotiatedOffloadsDescription is { Length: > 0 } offloads ? offloads : "none (the kernel granted no virtio-net header)");
        report.Fact("services", string.Join(' ', Host.Options.Services));
        var missing = new List<string>();
        foreach (var (tool, package) in LinuxClient.Tools)
            if (Tool.Find(tool) is null) missing.Add($"{tool} ({package})");
        report.Fact("clients", missing.Count == 0
            ? "ping, curl, socat in the namespace"
            : $"missing {string.Join(", ", missing)}: the checks that need them are skipped");
    }

    public void Dispose()
    {
        // The host first: closing the TAP's descriptors removes the interface, wherever its kernel side is.
        Host.Dispose();
        _peer.Dispose();
        _scratch.Dispose();
    }
}
