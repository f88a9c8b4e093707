using System;
using System.Globalization;

namespace NetKit.Appliance.Serve;

/// <summary>One <c>--service KIND:PORT</c>: which service listens on which port.</summary>
public readonly record struct ServiceSpec(ServiceKind Kind, ushort Port)
{
    /// <summary>The four services on their standard ports: what runs when no <c>--service</c> is given.</summary>
    public static ServiceSpec[] Defaults()
    {
        var all = ServiceKinds.All;
        var specs = new ServiceSpec[all.Length];
        for (int i = 0; i < all.Length; i++) specs[i] = new ServiceSpec(all[i], all[i].StandardPort());
        return specs;
    }

    /// <summary>Parses <c>KIND:PORT</c>; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string text, out ServiceSpec spec, out string? error)
    {
        spec = default;
        int colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            error = $"--service '{text}' is not KIND:PORT (kinds: tcp-echo, udp-echo, discard, http)";
            return false;
        }
        var kindText = text.AsSpan(0, colon);
        var portText = text.AsSpan(colon + 1);
        if (!ServiceKinds.TryParse(kindText, out var kind))
        {
            error = $"--service '{text}': unknown service '{kindText}' (kinds: tcp-echo, udp-echo, discard, http)";
            return false;
        }
        if (portText.IsEmpty || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port))
        {
            error = portText.Length > 0 && IsAllDigits(portText)
                ? $"--service '{text}': port {portText} is out of range (1-65535)"
                : $"--service '{text}': '{portText}' is not a port number";
            return false;
        }
        if (port is < 1 or > 65535)
        {
            error = $"--service '{text}': port {port} is out of range (1-65535)";
            return false;
        }
        spec = new ServiceSpec(kind, (ushort)port);
        error = null;
        return true;
    }

    private static bool IsAllDigits(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
            if (!char.IsAsciiDigit(c)) return false;
        return true;
    }

    /// <summary>The command-line form, <c>KIND:PORT</c>.</summary>
    public override string ToString() => $"{Kind.Name()}:{Port.ToString(CultureInfo.InvariantCulture)}";
}
