using System;
using System.Threading;

namespace NetKit.Appliance.LinuxPeer;

/// <summary>
/// A veth pair between two namespaces, addressed and up: a Linux↔Linux link to compare NetKit with, or to put a
/// router namespace between a Linux peer and a TAP. Deleting either end (or either namespace) deletes both.
/// </summary>
public sealed class VethPair : IDisposable
{
    private static int s_next;

    private VethPair(PeerNamespace a, string nameA, PeerNamespace b, string nameB)
    {
        NamespaceA = a;
        NameA = nameA;
        NamespaceB = b;
        NameB = nameB;
    }

    public PeerNamespace NamespaceA { get; }
    public string NameA { get; }
    public PeerNamespace NamespaceB { get; }
    public string NameB { get; }

    /// <summary>
    /// Creates the pair with one end in each namespace, gives them <paramref name="cidrA"/> and <paramref name="cidrB"/>
    /// (e.g. "10.78.3.1/24") and brings them up. Names default to <c>nkvN-a</c> / <c>nkvN-b</c>.
    /// </summary>
    public static VethPair Create(PeerNamespace a, string cidrA, PeerNamespace b, string cidrB, int mtu = 1500)
    {
        int n = Interlocked.Increment(ref s_next);
        var pair = new VethPair(a, $"nkv{n}-a", b, $"nkv{n}-b");
        var ip = Tool.Require("ip");
        CommandRunner.Run([ip, "link", "add", pair.NameA, "netns", a.Name, "mtu", mtu.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "type", "veth", "peer", "name", pair.NameB, "netns", b.Name], PeerNamespace.CommandTimeout).EnsureSuccess();
        a.Own(pair); // removed with the first namespace at the latest
        a.SetLinkUp(pair.NameA);
        b.SetLinkUp(pair.NameB);
        a.AddAddress(pair.NameA, cidrA);
        b.AddAddress(pair.NameB, cidrB);
        return pair;
    }

    public void Dispose()
    {
        if (NamespaceA.Exists && Tool.Find("ip") is { } ip)
            CommandRunner.Run([ip, "-n", NamespaceA.Name, "link", "delete", "dev", NameA], PeerNamespace.CommandTimeout);
    }
}
