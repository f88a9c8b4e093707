namespace NetKit.Appliance.Serve;

/// <summary>HTTP request methods as the http service tells them apart.</summary>
public enum HttpMethodKind : byte
{
    Get,
    Head,
    /// <summary>A well-formed method the service does not serve (405).</summary>
    Other,
}

/// <summary>A parsed request head: offsets into the parsed buffer, no strings.</summary>
public struct HttpRequest
{
    public HttpMethodKind Method;
    /// <summary>Where the request-target is in the parsed span.</summary>
    public int TargetStart, TargetLength;
    /// <summary>HTTP/1.0 (else 1.1 semantics).</summary>
    public bool IsHttp10;
    /// <summary>The connection stays open after the response (1.1 unless <c>close</c>; 1.0 only with <c>keep-alive</c>).</summary>
    public bool KeepAlive;
    /// <summary>Body bytes following the head (Content-Length), to be skipped.</summary>
    public long ContentLength;
    /// <summary><c>Expect: 100-continue</c>: the client may hold its body back until it sees our answer.</summary>
    public bool ExpectsContinue;
    /// <summary>Bytes of the head, up to and including its empty line.</summary>
    public int HeadLength;
}
