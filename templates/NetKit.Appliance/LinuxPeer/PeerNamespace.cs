using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace NetKit.Appliance.LinuxPeer;

/// <summary>
/// A private, uniquely named Linux network namespace (<c>nk-PID-N</c>) that plays the Linux peer of a NetKit stack:
/// links are moved in and configured, commands run inside (<c>ip netns exec</c>), background programs are started
/// and tracked, nftables impairments are added. Dispose stops the programs it started (by PID), deletes the
/// namespace and with it every link inside; it is safe after a failure midway and safe to call twice.
/// </summary>
public sealed class PeerNamespace : IDisposable
{
    /// <summary>Where <c>ip netns</c> keeps its named namespaces.</summary>
    public const string Directory = "/run/netns";

    private static int s_next;
    private readonly List<PeerProcess> _processes = new();
    private readonly List<IDisposable> _owned = new();
    private int _disposed;

    private PeerNamespace(string name) => Name = name;

    public string Name { get; }

    /// <summary>True while the namespace's name exists.</summary>
    public bool Exists => File.Exists(PathOf(Name));

    /// <summary>The default time limit for configuration commands.</summary>
    public static TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Creates a namespace named <c>PREFIX-PID-N</c> with its loopback up. The prefix starts with "nk" (lower-case
    /// letters only), which is how a later run recognises what a crashed run left behind.
    /// </summary>
    public static PeerNamespace Create(string prefix = "nk")
    {
        if (!prefix.StartsWith("nk", StringComparison.Ordinal) || !prefix.All(char.IsAsciiLetterLower))
            throw new ArgumentException("the prefix is lower-case ASCII letters starting with \"nk\".", nameof(prefix));
        var ns = new PeerNamespace($"{prefix}-{Environment.ProcessId}-{Interlocked.Increment(ref s_next)}");
        Janitor.Track(ns.Name);
        try
        {
            Ip("netns", "add", ns.Name);
            Ip("-n", ns.Name, "link", "set", "dev", "lo", "up");
        }
        catch
        {
            ns.Dispose();
            throw;
        }
        return ns;
    }

    internal static string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>Moves link <paramref name="link"/> from the caller's namespace into this one (its addresses are cleared).</summary>
    public void MoveLinkIn(string link) => Ip("link", "set", "dev", link, "netns", Name);

    /// <summary>Adds <paramref name="cidr"/> (e.g. "10.77.3.2/24") to <paramref name="link"/> inside.</summary>
    public void AddAddress(string link, string cidr) => Ip("-n", Name, "address", "add", cidr, "dev", link);

    /// <summary>Brings <paramref name="link"/> inside up.</summary>
    public void SetLinkUp(string link) => Ip("-n", Name, "link", "set", "dev", link, "up");

    /// <summary>Moves <paramref name="link"/> in, brings it up and gives it <paramref name="cidr"/> (in the order that works).</summary>
    public void AdoptLink(string link, string cidr)
    {
        MoveLinkIn(link);
        SetLinkUp(link);
        AddAddress(link, cidr);
    }

    /// <summary>Adds a route: <paramref name="destination"/> ("default" or a prefix) via <paramref name="gateway"/>.</summary>
    public void AddRoute(string destination, string gateway) => Ip("-n", Name, "route", "add", destination, "via", gateway);

    /// <summary>Sets an IPv4 sysctl inside (e.g. "net.ipv4.ip_forward", "1"): namespaced sysctls are per namespace.</summary>
    public void SetSysctl(string key, string value) => Run(["sysctl", "-q", "-w", $"{key}={value}"]).EnsureSuccess();

    /// <summary>Lets the namespace forward IPv4 between its links (a router between a TAP and a veth).</summary>
    public void EnableForwarding() => SetSysctl("net.ipv4.ip_forward", "1");

    /// <summary>
    /// Turns off checksum and segmentation offloads on <paramref name="link"/> (ethtool -K): the kernel then finishes
    /// checksums in software when a packet leaves and verifies every checksum that arrives, which is what makes
    /// corruption on this path detectable.
    /// </summary>
    public void DisableOffloads(string link) =>
        Run([Tool.Require("ethtool"), "-K", link, "rx", "off", "tx", "off", "tso", "off", "gso", "off", "gro", "off"]).EnsureSuccess();

    /// <summary>Runs <paramref name="command"/> inside with a time limit (default <see cref="CommandTimeout"/>).</summary>
    public CommandResult Run(IReadOnlyList<string> command, TimeSpan? timeout = null, string? standardInput = null) =>
        CommandRunner.Run(Inside(command), timeout ?? CommandTimeout, standardInput);

    /// <summary><see cref="Run"/> without blocking the caller.</summary>
    public Task<CommandResult> RunAsync(IReadOnlyList<string> command, TimeSpan? timeout = null, string? standardInput = null) =>
        CommandRunner.RunAsync(Inside(command), timeout ?? CommandTimeout, standardInput);

    /// <summary>
    /// Starts <paramref name="command"/> inside in the background; it is stopped at the latest when the namespace is
    /// disposed. With <paramref name="standardOutputPath"/> its stdout bytes go to that file.
    /// </summary>
    public PeerProcess Start(IReadOnlyList<string> command, string? standardOutputPath = null)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var process = PeerProcess.Start(Inside(command), standardOutputPath);
        lock (_processes) _processes.Add(process);
        return process;
    }

    /// <summary>Adds an nftables table with <paramref name="rules"/>; dispose the result (or this namespace) to remove it.</summary>
    public NftTable AddNftTable(string family, IReadOnlyList<NftRule> rules, int priority = -300)
    {
        var table = NftTable.Create(this, family, rules, priority);
        lock (_owned) _owned.Add(table);
        return table;
    }

    /// <summary>Runs <paramref name="work"/> on a thread inside this namespace (see <see cref="NamespaceThread"/>).</summary>
    public Task<T> RunInsideAsync<T>(Func<T> work) => NamespaceThread.RunAsync(Name, work);

    /// <summary>Creates a kernel socket that lives in this namespace, usable from any thread.</summary>
    public Task<Socket> CreateSocketAsync(SocketType type, ProtocolType protocol) =>
        RunInsideAsync(() => new Socket(AddressFamily.InterNetwork, type, protocol));

    /// <summary>One of the nstat counters (e.g. "TcpInCsumErrors") of this namespace's kernel stack.</summary>
    public long KernelCounter(string name)
    {
        var result = Run([Tool.Require("nstat"), "-a", "-z", "-s", name]).EnsureSuccess();
        foreach (var line in result.StandardOutput.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 2 && fields[0] == name) return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        return 0;
    }

    public override string ToString() => Name;

    /// <summary>
    /// Stops the programs started inside, removes owned tables and links, deletes the namespace. Never throws (it runs
    /// in finally blocks, where it must not hide the failure that got there): problems go to stderr.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        PeerProcess[] processes;
        lock (_processes) processes = _processes.ToArray();
        foreach (var process in processes) Attempt(process.Dispose);
        IDisposable[] owned;
        lock (_owned) owned = _owned.ToArray();
        for (int i = owned.Length - 1; i >= 0; i--) Attempt(owned[i].Dispose);
        Delete(Name);
        Janitor.Untrack(Name);
        if (Exists) Console.Error.WriteLine($"warning: network namespace {Name} could not be deleted");
    }

    private void Attempt(Action cleanup)
    {
        try { cleanup(); }
        catch (Exception e) { Console.Error.WriteLine($"warning: cleaning up namespace {Name}: {e.Message}"); }
    }

    /// <summary>Deletes namespace <paramref name="name"/> if it exists (links inside go with it); never throws.</summary>
    internal static void Delete(string name)
    {
        if (!File.Exists(PathOf(name)) || Tool.Find("ip") is not { } ip) return;
        CommandRunner.Run([ip, "netns", "delete", name], TimeSpan.FromSeconds(30));
    }

    internal void Own(IDisposable resource)
    {
        lock (_owned) _owned.Add(resource);
    }

    private List<string> Inside(IReadOnlyList<string> command)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(command.Count, 1, nameof(command));
        var full = new List<string>(command.Count + 4) { Tool.Require("ip"), "netns", "exec", Name };
        // Resolve the program here: sbin directories may be missing from PATH.
        full.Add(Tool.Find(command[0]) ?? command[0]);
        for (int i = 1; i < command.Count; i++) full.Add(command[i]);
        return full;
    }

    private static void Ip(params string[] arguments) =>
        CommandRunner.Run([Tool.Require("ip"), .. arguments], CommandTimeout).EnsureSuccess();
}
