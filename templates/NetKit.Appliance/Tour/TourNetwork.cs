using NetKit.Appliance.Serve;
using NetKit.Protocols.Wire;

namespace NetKit.Appliance.Tour;

/// <summary>
/// The tour's subnet, the same on both links: the appliance is 10.213.0.1/24, its client 10.213.0.2/24. On the TAP
/// path the client side lives in a private namespace, so the subnet never meets the machine's own routes.
/// </summary>
public static class TourNetwork
{
    public const int PrefixLength = 24;

    public static readonly IPv4Address ApplianceAddress = IPv4Address.Parse("10.213.0.1");

    public static readonly IPv4Address ClientAddress = IPv4Address.Parse("10.213.0.2");

    /// <summary>The appliance as the tour starts it: every default service on its standard port.</summary>
    public static ServeOptions ApplianceOptions(bool pinThreads) => new()
    {
        Address = ApplianceAddress,
        PrefixLength = PrefixLength,
        // Two stacks share the CPUs on the memory link: pinning one would make it fight the other.
        PinThreads = pinThreads,
        Services = ServiceSpec.Defaults(),
    };

    public static ushort Port(ServiceKind kind) => kind.StandardPort();
}
