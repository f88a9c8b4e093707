using System;

namespace NetKit.Appliance.Serve;

/// <summary>A service could not start (its port is taken, the stack refused the socket): <c>serve</c> exits with 1.</summary>
public sealed class ServiceStartException : Exception
{
    public ServiceStartException(string message)
        : base(message)
    {
    }
}
