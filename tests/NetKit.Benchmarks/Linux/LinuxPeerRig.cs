using System;
using System.IO;
using NetKit.Appliance.LinuxPeer;
using NetKit.Appliance.Serve;
using NetKit.Drivers.Tap;

namespace NetKit.Benchmarks.Linux;

/// <summary>Which server a Linux client in its own namespace talks to.</summary>
public enum ServerKind
{
    /// <summary>The Linux kernel's stack in a second namespace across a veth pair (socat discard, nginx with 1 worker).</summary>
    LinuxVeth,
    /// <summary>The NetKit appliance on a TAP with the virtio-net header (checksum offload and TSO both ways).</summary>
    NetKitTap,
    /// <summary>As <see cref="NetKitTap"/>, with a reader thread per TAP queue instead of the protocol threads polling.</summary>
    NetKitTapReaderThread,
    /// <summary>As <see cref="NetKitTap"/> with one protocol thread (<c>--cpus 1</c>), like nginx's one worker.</summary>
    NetKitTapOneThread,
    /// <summary>The NetKit appliance on a TAP without the virtio-net header: plain frames, no offloads.</summary>
    NetKitTapNoOffloads,
}

/// <summary>
/// A client namespace (10.66.0.2) and a server at 10.66.0.1 of the chosen <see cref="ServerKind"/>: what the Linux
/// benchmarks measure side by side. Servers: TCP discard on port 9 and HTTP on port 80 serving <c>/bytes/N</c> (NetKit's
/// http service; nginx with the same paths from files). Needs root, /dev/net/tun, socat, curl, nginx and wrk.
/// </summary>
public sealed class LinuxPeerRig : IDisposable
{
    public const string ServerAddress = "10.66.0.1";
    private const string ClientCidr = "10.66.0.2/24";
    private const string ServerCidr = "10.66.0.1/24";

    private readonly PeerNamespace _client;
    private readonly PeerNamespace? _server;
    private readonly VethPair? _veth;
    private readonly PeerProcess? _discard;
    private readonly PeerProcess? _nginx;
    private readonly ApplianceHost? _appliance;
    private readonly string? _nginxDirectory;

    private LinuxPeerRig(PeerNamespace client, PeerNamespace? server, VethPair? veth, PeerProcess? discard, PeerProcess? nginx,
        ApplianceHost? appliance, string? nginxDirectory)
    {
        _client = client;
        _server = server;
        _veth = veth;
        _discard = discard;
        _nginx = nginx;
        _appliance = appliance;
        _nginxDirectory = nginxDirectory;
    }

    public PeerNamespace Client => _client;

    /// <summary>The appliance, for the NetKit kinds.</summary>
    public ApplianceHost? Appliance => _appliance;

    public static LinuxPeerRig Start(ServerKind kind, params long[] httpBodySizes)
    {
        if (!Privileges.IsRoot) throw new InvalidOperationException("the Linux benchmarks need root (network namespaces, TAP).");
        foreach (var tool in new[] { "ip", "socat", "curl", "nginx", "wrk" })
            if (Tool.Find(tool) is null) throw new InvalidOperationException($"{tool} is not installed (apt-get install iproute2 socat curl nginx-light wrk).");
        var client = PeerNamespace.Create("nkb");
        try
        {
            if (kind == ServerKind.LinuxVeth) return StartLinux(client, httpBodySizes);
            return StartNetKit(client, offloads: kind != ServerKind.NetKitTapNoOffloads,
                kind == ServerKind.NetKitTapReaderThread ? TapReceiveMode.ReaderThread : TapReceiveMode.ProtocolThread,
                cpus: kind == ServerKind.NetKitTapOneThread ? 1 : 2);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static LinuxPeerRig StartLinux(PeerNamespace client, long[] httpBodySizes)
    {
        var server = PeerNamespace.Create("nkb");
        VethPair? veth = null;
        PeerProcess? discard = null, nginx = null;
        string directory = Path.Combine(Path.GetTempPath(), $"nk-bench-nginx-{Environment.ProcessId}");
        try
        {
            veth = VethPair.Create(client, ClientCidr, server, ServerCidr);
            discard = server.Start(["socat", "-b", "262144", "-u", "TCP-LISTEN:9,fork,reuseaddr", "OPEN:/dev/null"]);
            nginx = server.Start(["nginx", "-c", WriteNginx(directory, httpBodySizes), "-g", "daemon off;"]);
            WaitForPort(client, 9);
            WaitForPort(client, 80);
            return new LinuxPeerRig(client, server, veth, discard, nginx, null, directory);
        }
        catch
        {
            nginx?.Dispose();
            discard?.Dispose();
            veth?.Dispose();
            server.Dispose();
            throw;
        }
    }

    private static LinuxPeerRig StartNetKit(PeerNamespace client, bool offloads, TapReceiveMode mode, int cpus)
    {
        string tap = $"nkb{Environment.ProcessId % 100000:x}";
        if (!ServeOptions.TryParse(["--tap", tap, "--address", ServerCidr, "--cpus", cpus.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--service", "discard:9", "--service", "http:80"], out var options, out var error))
            throw new InvalidOperationException(error);
        var device = new TapDevice(new TapDeviceOptions { Name = tap, Offloads = offloads, ReceiveMode = mode });
        var appliance = ApplianceHost.Start(options!, device, TextWriter.Null);
        try
        {
            client.AdoptLink(tap, ClientCidr);
            WaitForPort(client, 9);
            return new LinuxPeerRig(client, null, null, null, null, appliance, null);
        }
        catch
        {
            appliance.Dispose();
            throw;
        }
    }

    /// <summary>An nginx configuration with one worker, keep-alive, and <c>/bytes/N</c> files of N bytes for each size.</summary>
    private static string WriteNginx(string directory, long[] sizes)
    {
        string root = Path.Combine(directory, "www");
        Directory.CreateDirectory(Path.Combine(root, "bytes"));
        foreach (long size in sizes)
        {
            using var file = File.Create(Path.Combine(root, "bytes", size.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            var block = new byte[1 << 20];
            for (long written = 0; written < size;)
            {
                int n = (int)Math.Min(block.Length, size - written);
                DeterministicContent.Fill(written, block.AsSpan(0, n));
                file.Write(block, 0, n);
                written += n;
            }
        }
        string configuration = Path.Combine(directory, "nginx.conf");
        File.WriteAllText(configuration, $$"""
            worker_processes 1;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log;
            events { worker_connections 1024; }
            http {
                access_log off;
                sendfile on;
                tcp_nopush on;
                keepalive_requests 1000000;
                default_type application/octet-stream;
                client_body_temp_path {{directory}}/body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
                server { listen 80; root {{root}}; }
            }
            """);
        return configuration;
    }

    private static void WaitForPort(PeerNamespace client, int port)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            if (client.Run(["socat", "-u", "OPEN:/dev/null", $"TCP:{ServerAddress}:{port},connect-timeout=1"], TimeSpan.FromSeconds(5)).Succeeded) return;
            System.Threading.Thread.Sleep(100);
        }
        throw new InvalidOperationException($"{ServerAddress}:{port} did not answer from {client}.");
    }

    public void Dispose()
    {
        _nginx?.Dispose();
        _discard?.Dispose();
        _veth?.Dispose();
        _server?.Dispose();
        _appliance?.Dispose();
        _client.Dispose();
        if (_nginxDirectory is not null)
        {
            try { Directory.Delete(_nginxDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
