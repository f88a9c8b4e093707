using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NetKit.Protocols.Interfaces;
using NetKit.Protocols.Wire;

namespace NetKit.Appliance.Serve;

/// <summary>
/// What <c>serve</c> runs, parsed from its command line (<see cref="TryParse"/>) or built directly (tests, hosts over
/// other links: <see cref="ApplianceHost"/> needs only the address, services and thread settings).
/// </summary>
public sealed class ServeOptions
{
    /// <summary>The largest <c>--cpus</c>: protocol threads (and TAP queues) the appliance starts at most.</summary>
    public const int MaxCpus = 64;

    /// <summary>The link MTU the appliance runs with.</summary>
    public const int Mtu = 1500;

    public const string Usage =
        """
        usage: netkit-appliance serve --tap NAME --address A.B.C.D/P [options]

        Runs the NetKit stack on a TAP interface with the chosen services until SIGINT or SIGTERM, then prints
        its counters. Prints "ready" on stdout once the services listen.

          --tap NAME            TAP interface to create or attach to (at most 15 bytes)
          --address A.B.C.D/P   the stack's IPv4 address and prefix length
          --gateway G           default gateway (on the subnet)
          --mac M               the stack's MAC address (default: random, locally administered)
          --cpus N              protocol threads and TAP queues, 1-64 (default: the CPU count)
          --service KIND:PORT   a service to run; repeatable. KIND: tcp-echo, udp-echo, discard, http
                                (default: tcp-echo:7 udp-echo:7 discard:9 http:80)
          --pcap FILE           record every frame in a pcap file
          --impair SPEC         impair the link: comma-separated key=value, for both directions or one with an
                                rx- / tx- prefix. Keys: loss=P% dup=P% reorder=P% corrupt=P% delay=D jitter=D
                                (D with us, ms or s) rate=N[kbit|mbit|gbit] seed=N
          --help                print this help

        http: GET or HEAD / (a small page) and /bytes/N (N deterministic bytes, 0 <= N <= 2^40), keep-alive and
        pipelining. Exit status: 0 after a signal, 1 when the TAP or a service cannot start, 2 for bad arguments.
        """;

    /// <summary>The largest <c>/bytes/N</c> the http service serves (2^40).</summary>
    public const long MaxBodyBytes = 1L << 40;

    /// <summary>True when <c>--help</c> was given: print <see cref="Usage"/>, nothing else is set.</summary>
    public bool ShowHelp { get; init; }

    /// <summary>The TAP interface name (<c>--tap</c>).</summary>
    public string TapName { get; init; } = "netkit0";

    /// <summary>The stack's address (<c>--address</c>).</summary>
    public IPv4Address Address { get; init; }

    /// <summary>The subnet's prefix length (<c>--address .../P</c>).</summary>
    public int PrefixLength { get; init; } = 24;

    /// <summary>Default gateway, or unspecified for none (<c>--gateway</c>).</summary>
    public IPv4Address Gateway { get; init; }

    /// <summary>The stack's MAC address, 6 bytes (<c>--mac</c>, else random locally administered unicast).</summary>
    public byte[] HardwareAddress { get; init; } = RandomHardwareAddress();

    /// <summary>Protocol threads, also the TAP queue count (<c>--cpus</c>).</summary>
    public int Cpus { get; init; } = DefaultCpus;

    /// <summary>
    /// Pin protocol thread <i>i</i> to a CPU when there are no more threads than CPUs (not a command-line option:
    /// tests that run several stacks in one process turn it off).
    /// </summary>
    public bool PinThreads { get; init; } = true;

    /// <summary>The services to run, in order (<c>--service</c>, else <see cref="ServiceSpec.Defaults"/>).</summary>
    public IReadOnlyList<ServiceSpec> Services { get; init; } = ServiceSpec.Defaults();

    /// <summary>Where to record frames (<c>--pcap</c>), or null.</summary>
    public string? PcapPath { get; init; }

    /// <summary>Link impairments (<c>--impair</c>).</summary>
    public ImpairSpec Impairments { get; init; } = ImpairSpec.None;

    /// <summary>The CPU count, clamped to [1, <see cref="MaxCpus"/>].</summary>
    public static int DefaultCpus => Math.Clamp(Environment.ProcessorCount, 1, MaxCpus);

    /// <summary>The interface configuration the stack gets.</summary>
    public InterfaceConfiguration InterfaceConfiguration => new(Address, PrefixLength, Gateway, Mtu);

    /// <summary>A random locally administered unicast MAC (02:xx:xx:xx:xx:xx pattern bits).</summary>
    public static byte[] RandomHardwareAddress()
    {
        var mac = RandomNumberGenerator.GetBytes(6);
        mac[0] = (byte)((mac[0] & 0xFC) | 0x02); // unicast, locally administered
        return mac;
    }

    /// <summary>
    /// Parses the arguments after <c>serve</c>. Options take their value as the next argument or after <c>=</c>.
    /// On failure <paramref name="error"/> is one line saying what is wrong (printed as <c>error: …</c>, exit 2).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<string> args, out ServeOptions? options, out string? error)
    {
        options = null;
        string? tap = null, address = null, gateway = null, mac = null, cpus = null, pcap = null, impair = null;
        var services = new List<ServiceSpec>();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i] ?? "";
            if (arg is "--help" or "-h")
            {
                options = new ServeOptions { ShowHelp = true };
                error = null;
                return true;
            }
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                error = $"unexpected argument '{arg}'";
                return false;
            }
            string name = arg, value;
            int equals = arg.IndexOf('=');
            if (equals > 0)
            {
                name = arg[..equals];
                value = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Length && !IsOptionName(args[i + 1]))
            {
                value = args[++i];
            }
            else
            {
                if (!IsKnown(name))
                {
                    error = $"unknown option '{name}'";
                    return false;
                }
                error = $"missing value for {name}";
                return false;
            }
            if (value.Length == 0 && IsKnown(name))
            {
                error = $"missing value for {name}";
                return false;
            }
            switch (name)
            {
                case "--tap": if (!Once(ref tap, name, value, out error)) return false; break;
                case "--address": if (!Once(ref address, name, value, out error)) return false; break;
                case "--gateway": if (!Once(ref gateway, name, value, out error)) return false; break;
                case "--mac": if (!Once(ref mac, name, value, out error)) return false; break;
                case "--cpus": if (!Once(ref cpus, name, value, out error)) return false; break;
                case "--pcap": if (!Once(ref pcap, name, value, out error)) return false; break;
                case "--impair": if (!Once(ref impair, name, value, out error)) return false; break;
                case "--service":
                    if (!ServiceSpec.TryParse(value, out var spec, out error)) return false;
                    if (services.Contains(spec))
                    {
                        error = $"duplicate service {spec}";
                        return false;
                    }
                    services.Add(spec);
                    break;
                default:
                    error = $"unknown option '{name}'";
                    return false;
            }
        }

        if (tap is null)
        {
            error = "--tap NAME is required";
            return false;
        }
        if (!IsValidInterfaceName(tap))
        {
            error = $"--tap '{tap}' is not a valid interface name (1 to 15 bytes; no '/', ':' or whitespace)";
            return false;
        }
        if (address is null)
        {
            error = "--address A.B.C.D/P is required";
            return false;
        }
        if (!TryParseAddress(address, out var ip, out int prefix, out error)) return false;

        var gatewayAddress = IPv4Address.Unspecified;
        if (gateway is not null)
        {
            if (!IPv4Address.TryParse(gateway, out gatewayAddress))
            {
                error = $"--gateway '{gateway}' is not an IPv4 address (A.B.C.D)";
                return false;
            }
            var subnet = new InterfaceConfiguration(ip, prefix);
            if (!subnet.IsOnLink(gatewayAddress) || gatewayAddress == ip || gatewayAddress.IsUnspecified ||
                (prefix < 31 && (gatewayAddress == subnet.Network || gatewayAddress == subnet.DirectedBroadcast)))
            {
                error = $"--gateway {gateway} is not a host on {subnet.Network}/{prefix} other than {ip}";
                return false;
            }
        }

        byte[] hardwareAddress;
        if (mac is null)
        {
            hardwareAddress = RandomHardwareAddress();
        }
        else if (!MacAddress.TryParse(mac, out var parsedMac))
        {
            error = $"--mac '{mac}' is not a MAC address (xx:xx:xx:xx:xx:xx)";
            return false;
        }
        else if (parsedMac.IsMulticast || parsedMac == MacAddress.Zero)
        {
            error = $"--mac {mac} is not a unicast address";
            return false;
        }
        else
        {
            hardwareAddress = new byte[6];
            parsedMac.WriteTo(hardwareAddress);
        }

        int threadCount = DefaultCpus;
        if (cpus is not null &&
            (!int.TryParse(cpus, NumberStyles.None, CultureInfo.InvariantCulture, out threadCount) || threadCount is < 1 or > MaxCpus))
        {
            error = $"--cpus '{cpus}' is not a number from 1 to {MaxCpus}";
            return false;
        }

        var impairments = ImpairSpec.None;
        if (impair is not null && !ImpairSpec.TryParse(impair, out impairments!, out error)) return false;

        options = new ServeOptions
        {
            TapName = tap,
            Address = ip,
            PrefixLength = prefix,
            Gateway = gatewayAddress,
            HardwareAddress = hardwareAddress,
            Cpus = threadCount,
            Services = services.Count > 0 ? services.ToArray() : ServiceSpec.Defaults(),
            PcapPath = pcap,
            Impairments = impairments,
        };
        error = null;
        return true;
    }

    private static readonly string[] s_options = ["--tap", "--address", "--gateway", "--mac", "--cpus", "--service", "--pcap", "--impair"];

    private static bool IsKnown(string name) => Array.IndexOf(s_options, name) >= 0;

    // "--x" is an option name; "-5" or "-" is not (a value may start with a dash only in the key=value form).
    private static bool IsOptionName(string? arg) => arg is not null && (arg.StartsWith("--", StringComparison.Ordinal) || arg == "-h");

    private static bool Once(ref string? slot, string name, string value, out string? error)
    {
        if (slot is not null)
        {
            error = $"{name} given more than once";
            return false;
        }
        slot = value;
        error = null;
        return true;
    }

    private static bool IsValidInterfaceName(string name)
    {
        if (name.Length == 0 || Encoding.UTF8.GetByteCount(name) > 15 || name is "." or "..") return false;
        foreach (char c in name)
            if (c is '/' or ':' || char.IsWhiteSpace(c) || char.IsControl(c)) return false;
        return true;
    }

    private static bool TryParseAddress(string text, out IPv4Address address, out int prefix, out string? error)
    {
        address = default;
        prefix = 0;
        int slash = text.IndexOf('/');
        if (slash < 0 || !IPv4Address.TryParse(text.AsSpan(0, slash), out address))
        {
            error = $"--address '{text}' is not A.B.C.D/P";
            return false;
        }
        var prefixText = text.AsSpan(slash + 1);
        if (prefixText.IsEmpty || prefixText.Length > 2 ||
            !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix is < 1 or > 32)
        {
            error = $"--address '{text}': the prefix length must be a number from 1 to 32";
            return false;
        }
        var configuration = new InterfaceConfiguration(address, prefix);
        if (address.IsUnspecified || address.IsLoopback || address.IsMulticast || address.IsBroadcast || (address.Value >> 28) == 0xF ||
            (prefix < 31 && (address == configuration.Network || address == configuration.DirectedBroadcast)))
        {
            error = $"--address {text} is not a usable host address";
            return false;
        }
        error = null;
        return true;
    }
}
