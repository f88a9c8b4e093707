using System;

namespace NetKit.Protocols.Wire;

/// <summary>
/// Thrown by the convenience <c>Parse</c> methods of the reprs; the receive path uses <c>TryParse</c>, which reports the
/// same <see cref="WireError"/> without throwing.
/// </summary>
public sealed class WireFormatException : FormatException
{
    public WireFormatException() : this(WireError.Unsupported) { }

    public WireFormatException(string message) : base(message) => Error = WireError.Unsupported;

    public WireFormatException(string message, Exception innerException) : base(message, innerException) => Error = WireError.Unsupported;

    public WireFormatException(WireError error) : base($"Malformed packet: {error}.") => Error = error;

    /// <summary>What was wrong with the packet.</summary>
    public WireError Error { get; }
}
