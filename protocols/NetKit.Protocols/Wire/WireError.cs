namespace NetKit.Protocols.Wire;

/// <summary>
/// Why a buffer was rejected by a view's <c>Check</c> or a repr's <c>TryParse</c>. Checks compare lengths before
/// they read a field, so a rejected buffer is never read past its end.
/// </summary>
public enum WireError
{
    /// <summary>The buffer is well formed.</summary>
    None = 0,
    /// <summary>The buffer ends before the header, or before the length a header field claims (Linux counts these as <c>InTruncatedPkts</c>).</summary>
    Truncated,
    /// <summary>The IP version nibble is not the one the view parses.</summary>
    BadVersion,
    /// <summary>The IPv4 IHL is below 5 words (RFC 791 §3.1: the minimum header is 20 bytes).</summary>
    BadHeaderLength,
    /// <summary>The IPv4 total length is shorter than the header it must contain.</summary>
    BadTotalLength,
    /// <summary>A checksum does not verify.</summary>
    BadChecksum,
    /// <summary>A length field is smaller than the header it covers (e.g. a UDP length below 8).</summary>
    BadLength,
    /// <summary>An IPv4 option's length runs past the header or is below 2 (RFC 791 §3.1, option format).</summary>
    BadOptions,
    /// <summary>Well formed but outside what NetKit implements (e.g. ARP for another link or protocol, an unknown ICMP type).</summary>
    Unsupported,
}
