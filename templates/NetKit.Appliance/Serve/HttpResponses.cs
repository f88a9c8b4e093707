using System;
using System.Buffers.Text;
using System.Text;
using System.Threading;

namespace NetKit.Appliance.Serve;

/// <summary>
/// Response heads, encoded once: a head is a few copies of pre-encoded bytes plus the Content-Length digits and the
/// cached Date line, written into the connection's output buffer. Nothing is allocated per response.
/// </summary>
public static class HttpResponses
{
    /// <summary>Room to leave for one head in an output buffer (the longest is well under it).</summary>
    public const int MaxHeadLength = 256;

    private static readonly byte[] s_page = Encoding.ASCII.GetBytes(
        "<!DOCTYPE html>\n<html><head><title>NetKit appliance</title></head>\n" +
        "<body><h1>NetKit appliance</h1><p>Served by a user-space TCP/IP stack: per-CPU protocol threads, no global lock.</p>" +
        "<p>Try <a href=\"/bytes/1024\">/bytes/1024</a>.</p></body></html>\n");

    // Per kind: status line, fixed headers, and "Content-Length: " waiting for its digits.
    private static readonly byte[][] s_prefixes =
    [
        Prefix("200 OK", "text/html; charset=utf-8"),
        Prefix("200 OK", "application/octet-stream"),
        Prefix("400 Bad Request", "text/plain; charset=utf-8"),
        Prefix("404 Not Found", "text/plain; charset=utf-8"),
        Prefix("405 Method Not Allowed", "text/plain; charset=utf-8", "Allow: GET, HEAD\r\n"),
        Prefix("501 Not Implemented", "text/plain; charset=utf-8"),
        Prefix("505 HTTP Version Not Supported", "text/plain; charset=utf-8"),
    ];

    private static readonly byte[][] s_bodies =
    [
        s_page,
        [],
        Encoding.ASCII.GetBytes("400 bad request\n"),
        Encoding.ASCII.GetBytes("404 not found\n"),
        Encoding.ASCII.GetBytes("405 method not allowed (GET and HEAD only)\n"),
        Encoding.ASCII.GetBytes("501 not implemented (request transfer codings)\n"),
        Encoding.ASCII.GetBytes("505 HTTP version not supported (HTTP/1.x only)\n"),
    ];

    private static byte[] Prefix(string status, string contentType, string extra = "") =>
        Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nServer: NetKit\r\nContent-Type: {contentType}\r\n{extra}Content-Length: ");

    /// <summary>The page <c>GET /</c> returns.</summary>
    public static ReadOnlySpan<byte> Page => s_page;

    /// <summary>The fixed body of <paramref name="kind"/> (empty for <see cref="HttpResponseKind.Bytes"/>).</summary>
    public static ReadOnlySpan<byte> Body(HttpResponseKind kind) => s_bodies[(int)kind];

    /// <summary>The error response for a status the parser reported.</summary>
    public static HttpResponseKind ForStatus(int status) => status switch
    {
        404 => HttpResponseKind.NotFound,
        405 => HttpResponseKind.MethodNotAllowed,
        501 => HttpResponseKind.NotImplemented,
        505 => HttpResponseKind.VersionNotSupported,
        _ => HttpResponseKind.BadRequest,
    };

    /// <summary>Writes a head into <paramref name="destination"/> (at least <see cref="MaxHeadLength"/> bytes); returns its length.</summary>
    public static int WriteHead(Span<byte> destination, HttpResponseKind kind, long contentLength, HttpConnectionHeader connection)
    {
        var prefix = s_prefixes[(int)kind];
        prefix.CopyTo(destination);
        int n = prefix.Length;
        Utf8Formatter.TryFormat(contentLength, destination[n..], out int digits);
        n += digits;
        "\r\n"u8.CopyTo(destination[n..]);
        n += 2;
        var connectionLine = connection switch
        {
            HttpConnectionHeader.Close => "Connection: close\r\n"u8,
            HttpConnectionHeader.KeepAlive => "Connection: keep-alive\r\n"u8,
            _ => default,
        };
        connectionLine.CopyTo(destination[n..]);
        n += connectionLine.Length;
        var date = HttpDate.Line;
        date.CopyTo(destination[n..]);
        n += date.Length;
        "\r\n"u8.CopyTo(destination[n..]);
        return n + 2;
    }

    /// <summary>
    /// The <c>Date</c> header line (RFC 9110 §6.6.1: an origin server with a clock sends one), formatted once per
    /// second and shared by every connection: the check per response is one tick-count read.
    /// </summary>
    private static class HttpDate
    {
        private static byte[] s_line = Format(DateTime.UtcNow);
        private static long s_refreshAt; // Environment.TickCount64 when the second changes

        public static ReadOnlySpan<byte> Line
        {
            get
            {
                long now = Environment.TickCount64;
                if (now >= Volatile.Read(ref s_refreshAt))
                {
                    var utc = DateTime.UtcNow;
                    Volatile.Write(ref s_line, Format(utc)); // one small array a second, whoever refreshes first
                    Volatile.Write(ref s_refreshAt, now + 1000 - utc.Millisecond);
                }
                return Volatile.Read(ref s_line);
            }
        }

        private static byte[] Format(DateTime utc)
        {
            Span<byte> line = stackalloc byte[64];
            "Date: "u8.CopyTo(line);
            Utf8Formatter.TryFormat(utc, line[6..], out int written, new System.Buffers.StandardFormat('R'));
            "\r\n"u8.CopyTo(line[(6 + written)..]);
            return line[..(8 + written)].ToArray();
        }
    }
}
