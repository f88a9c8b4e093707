using System;
using NetKit.Appliance.LinuxPeer;

namespace NetKit.Appliance.Tests.Support;

/// <summary>
/// A second namespace behind the appliance's peer namespace, which routes between them:
/// client 10.78.X.2 —veth— 10.78.X.1 router (the peer namespace, 10.77.X.2) —TAP— appliance 10.77.X.1.
/// The veth has every checksum and segmentation offload off, so packets crossing it carry final checksums that the
/// receiving kernel verifies: corruption applied after they crossed is detectable (see
/// <see cref="NftImpairment.Corrupt"/>). Dispose removes the client namespace and with it the veth.
/// </summary>
public sealed class RoutedClient : IDisposable
{
    public RoutedClient(RunningAppliance appliance)
    {
        Router = appliance.Peer;
        Namespace = PeerNamespace.Create();
        try
        {
            Address = $"10.78.{appliance.Subnet}.2";
            RouterAddress = $"10.78.{appliance.Subnet}.1";
            Veth = VethPair.Create(Router, $"{RouterAddress}/24", Namespace, $"{Address}/24");
            Router.DisableOffloads(Veth.NameA);
            Namespace.DisableOffloads(Veth.NameB);
            Router.EnableForwarding();
            Namespace.AddRoute("default", RouterAddress);
        }
        catch
        {
            Namespace.Dispose();
            throw;
        }
    }

    public PeerNamespace Router { get; }
    public PeerNamespace Namespace { get; }
    public VethPair Veth { get; }
    public string Address { get; }
    public string RouterAddress { get; }

    public void Dispose()
    {
        Veth?.Dispose();
        Namespace.Dispose();
        // The router namespace is the shared peer: leave it as it was.
        if (Router.Exists) Router.SetSysctl("net.ipv4.ip_forward", "0");
    }
}
