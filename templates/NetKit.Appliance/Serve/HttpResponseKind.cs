namespace NetKit.Appliance.Serve;

/// <summary>The responses the http service sends, by what decides their status and content type.</summary>
public enum HttpResponseKind
{
    /// <summary>200, the fixed HTML page.</summary>
    Page,
    /// <summary>200, <c>/bytes/N</c>: N bytes of <see cref="DeterministicContent"/>.</summary>
    Bytes,
    BadRequest,
    NotFound,
    MethodNotAllowed,
    NotImplemented,
    VersionNotSupported,
}

/// <summary>What the response says about the connection.</summary>
public enum HttpConnectionHeader
{
    /// <summary>Nothing: HTTP/1.1 keeps the connection open.</summary>
    None,
    /// <summary><c>Connection: close</c>: the server closes after this response.</summary>
    Close,
    /// <summary><c>Connection: keep-alive</c>: an HTTP/1.0 client asked to keep it open, and it is.</summary>
    KeepAlive,
}
