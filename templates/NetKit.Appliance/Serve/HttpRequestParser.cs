using System;
using System.Buffers;
using System.Text;

namespace NetKit.Appliance.Serve;

/// <summary>How far <see cref="HttpRequestParser.TryParse"/> got.</summary>
public enum HttpParseResult
{
    /// <summary>The head is not complete yet: read more and parse again from the same start.</summary>
    Incomplete,
    /// <summary>A whole request head was parsed.</summary>
    Complete,
    /// <summary>The request is malformed or unsupported; answer with the status given and close.</summary>
    Invalid,
}

/// <summary>
/// An HTTP/1.x request-head parser over bytes (RFC 9112), for the http service's receive buffer: no strings, no
/// allocation. Strict where it matters for framing (one Content-Length, no obsolete line folding, no whitespace before
/// a header's colon, no control characters) and tolerant where RFC 9112 allows (bare LF line ends, empty lines
/// before the request line).
/// </summary>
public static class HttpRequestParser
{
    /// <summary>Headers accepted in one request.</summary>
    public const int MaxHeaders = 100;

    // tchar (RFC 9110 §5.6.2).
    private static readonly SearchValues<byte> s_token =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    // Bytes never allowed in a field value: controls other than HTAB, and DEL.
    private static readonly SearchValues<byte> s_badValue = SearchValues.Create(BadValueBytes());

    // Bytes never allowed in a request-target: controls, space, DEL.
    private static readonly SearchValues<byte> s_badTarget = SearchValues.Create(BadTargetBytes());

    private static byte[] BadValueBytes()
    {
        var bytes = new byte[32];
        int n = 0;
        for (int b = 0; b < 0x20; b++)
            if (b != '\t') bytes[n++] = (byte)b;
        bytes[n++] = 0x7F;
        return bytes[..n];
    }

    private static byte[] BadTargetBytes()
    {
        var bytes = new byte[34];
        for (int b = 0; b <= 0x20; b++) bytes[b] = (byte)b;
        bytes[33] = 0x7F;
        return bytes;
    }

    /// <summary>
    /// Parses the request head at the start of <paramref name="data"/>. On <see cref="HttpParseResult.Invalid"/>,
    /// <paramref name="errorStatus"/> is the status to answer with (400, 501 for a transfer coding, 505 for a
    /// version other than 1.x).
    /// </summary>
    public static HttpParseResult TryParse(ReadOnlySpan<byte> data, out HttpRequest request, out int errorStatus)
    {
        request = default;
        errorStatus = 400;
        int pos = 0;

        // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request-line.
        while (true)
        {
            if (pos >= data.Length) return HttpParseResult.Incomplete;
            if (data[pos] == '\n') pos++;
            else if (data[pos] == '\r' && pos + 1 < data.Length && data[pos + 1] == '\n') pos += 2;
            else if (data[pos] == '\r' && pos + 1 == data.Length) return HttpParseResult.Incomplete;
            else break;
        }

        int lineStart = pos;
        if (!NextLine(data, ref pos, out var line)) return HttpParseResult.Incomplete;
        // A bad request line is answered at once, without waiting for the rest of the head.
        var result = ParseRequestLine(line, lineStart, ref request, ref errorStatus);
        if (result != HttpParseResult.Complete) return result;

        bool close = false, keepAlive = false, transferEncoding = false, hasLength = false;
        int hosts = 0, headers = 0;
        while (true)
        {
            if (!NextLine(data, ref pos, out line)) return HttpParseResult.Incomplete;
            if (line.IsEmpty) break;
            if (++headers > MaxHeaders) return HttpParseResult.Invalid;
            if (line[0] is (byte)' ' or (byte)'\t') return HttpParseResult.Invalid; // obsolete line folding
            int colon = line.IndexOf((byte)':');
            if (colon <= 0) return HttpParseResult.Invalid;
            var name = line[..colon];
            if (name.IndexOfAnyExcept(s_token) >= 0) return HttpParseResult.Invalid; // includes whitespace before ':'
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (value.IndexOfAny(s_badValue) >= 0) return HttpParseResult.Invalid;

            if (Is(name, "content-length"u8))
            {
                if (!TryParseLength(value, out long length) || (hasLength && length != request.ContentLength)) return HttpParseResult.Invalid;
                request.ContentLength = length;
                hasLength = true;
            }
            else if (Is(name, "connection"u8))
            {
                foreach (var range in value.Split((byte)','))
                {
                    var option = value[range].Trim(" \t"u8);
                    if (Is(option, "close"u8)) close = true;
                    else if (Is(option, "keep-alive"u8)) keepAlive = true;
                }
            }
            else if (Is(name, "transfer-encoding"u8))
            {
                transferEncoding = true;
            }
            else if (Is(name, "expect"u8))
            {
                request.ExpectsContinue = Is(value, "100-continue"u8);
            }
            else if (Is(name, "host"u8))
            {
                if (++hosts > 1) return HttpParseResult.Invalid; // RFC 9112 §3.2
            }
        }

        if (transferEncoding)
        {
            // Request bodies in chunks are not served; with a Content-Length too the framing is ambiguous (smuggling).
            errorStatus = hasLength ? 400 : 501;
            return HttpParseResult.Invalid;
        }
        request.KeepAlive = request.IsHttp10 ? keepAlive && !close : !close;
        request.HeadLength = pos;
        errorStatus = 0;
        return HttpParseResult.Complete;
    }

    /// <summary>The line starting at <paramref name="pos"/> without its LF (and CR); false when no LF has arrived yet.</summary>
    private static bool NextLine(ReadOnlySpan<byte> data, ref int pos, out ReadOnlySpan<byte> line)
    {
        int lf = data[pos..].IndexOf((byte)'\n');
        if (lf < 0)
        {
            line = default;
            return false;
        }
        line = data.Slice(pos, lf);
        if (!line.IsEmpty && line[^1] == '\r') line = line[..^1];
        pos += lf + 1;
        return true;
    }

    private static HttpParseResult ParseRequestLine(ReadOnlySpan<byte> line, int lineStart, ref HttpRequest request, ref int errorStatus)
    {
        int firstSpace = line.IndexOf((byte)' ');
        if (firstSpace <= 0) return HttpParseResult.Invalid;
        var method = line[..firstSpace];
        if (method.IndexOfAnyExcept(s_token) >= 0) return HttpParseResult.Invalid;
        var rest = line[(firstSpace + 1)..];
        int secondSpace = rest.IndexOf((byte)' ');
        if (secondSpace <= 0) return HttpParseResult.Invalid;
        var target = rest[..secondSpace];
        if (target.IndexOfAny(s_badTarget) >= 0) return HttpParseResult.Invalid;
        var version = rest[(secondSpace + 1)..];
        if (version.Length != 8 || !version.StartsWith("HTTP/"u8) || version[6] != '.' ||
            !char.IsAsciiDigit((char)version[5]) || !char.IsAsciiDigit((char)version[7]))
            return HttpParseResult.Invalid;
        if (version[5] != '1')
        {
            errorStatus = 505;
            return HttpParseResult.Invalid;
        }

        request.Method = method.SequenceEqual("GET"u8) ? HttpMethodKind.Get
            : method.SequenceEqual("HEAD"u8) ? HttpMethodKind.Head
            : HttpMethodKind.Other;
        request.TargetStart = lineStart + firstSpace + 1;
        request.TargetLength = target.Length;
        request.IsHttp10 = version[7] == '0'; // 1.1 and later 1.x minors get 1.1 semantics (RFC 9110 §2.5)
        return HttpParseResult.Complete;
    }

    private static bool Is(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowerCase) =>
        text.Length == lowerCase.Length && Ascii.EqualsIgnoreCase(text, lowerCase);

    private static bool TryParseLength(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 18) return false; // 18 digits cannot overflow a long
        foreach (byte b in text)
        {
            if (b is < (byte)'0' or > (byte)'9') return false;
            value = value * 10 + (b - '0');
        }
        return true;
    }
}
