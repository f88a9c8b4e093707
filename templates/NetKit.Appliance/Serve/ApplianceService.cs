using System;
using NetKit.Protocols.Wire;
using NetKit.Runtime.Protocols;

namespace NetKit.Appliance.Serve;

/// <summary>One running service of the appliance: started on a stack, stopped by <see cref="ApplianceHost"/>.</summary>
public abstract class ApplianceService : IDisposable
{
    protected ApplianceService(ServiceSpec spec) => Spec = spec;

    /// <summary>Which service, on which port.</summary>
    public ServiceSpec Spec { get; }

    /// <summary>What it has done so far (live while it runs, final once stopped).</summary>
    public abstract ServiceCounters Counters { get; }

    /// <summary>Creates the service for <paramref name="spec"/>.</summary>
    public static ApplianceService Create(ServiceSpec spec) => spec.Kind switch
    {
        ServiceKind.TcpEcho => new TcpEchoService(spec.Port),
        ServiceKind.UdpEcho => new UdpEchoService(spec.Port),
        ServiceKind.Discard => new DiscardService(spec.Port),
        ServiceKind.Http => new HttpService(spec.Port),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec, null),
    };

    /// <summary>Binds and starts serving on <paramref name="address"/>; throws <see cref="ServiceStartException"/> when it cannot.</summary>
    public abstract void Start(NetStack stack, IPv4Address address);

    /// <summary>Stops accepting, closes every connection or socket, and waits (bounded) for the service's work to end.</summary>
    public abstract void Stop();

    public void Dispose()
    {
        Stop();
        GC.SuppressFinalize(this);
    }

    public override string ToString() => Spec.ToString();
}
