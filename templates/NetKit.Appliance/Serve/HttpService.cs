using System;
using System.Buffers;
using System.Threading.Tasks;

namespace NetKit.Appliance.Serve;

/// <summary>
/// <c>http</c>: HTTP/1.1 with keep-alive and pipelining. <c>GET /</c> returns a small page, <c>GET /bytes/N</c> N bytes
/// of <see cref="DeterministicContent"/> (0 ≤ N ≤ 2^40, streamed through the output buffer, never held whole);
/// HEAD gets the same heads without bodies; other paths 404, other methods 405, malformed requests 400 (and close).
/// </summary>
/// <remarks>
/// Built for request rate: each connection owns one input and one output buffer (pooled, for its lifetime); requests
/// are parsed in place (<see cref="HttpRequestParser"/>), responses are written from pre-encoded heads
/// (<see cref="HttpResponses"/>), and every request already in the input buffer is answered before the output is sent
/// in one go, so pipelined requests share a send. Nothing is allocated per request.
/// </remarks>
public sealed class HttpService : TcpService
{
    /// <summary>The input buffer: also the largest request head accepted (larger ones get 400).</summary>
    public const int InputBufferSize = 16 * 1024;

    /// <summary>The output buffer: responses collect here, and large bodies go out in pieces of this size.</summary>
    public const int OutputBufferSize = 32 * 1024;

    /// <summary>How long a closing connection keeps reading what the client still sends (see <see cref="TcpConnection.LingeringCloseAsync"/>).</summary>
    public static readonly TimeSpan LingerTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Large bodies: enough send ring to keep a fast path full between the writer's turns (Linux tcp_wmem max is 4 MiB).</summary>
    protected override int SendBufferBytes => 1 << 20;

    public HttpService(ushort port)
        : base(new ServiceSpec(ServiceKind.Http, port))
    {
    }

    protected override async Task ServeAsync(TcpConnection connection)
    {
        var input = ArrayPool<byte>.Shared.Rent(InputBufferSize);
        var output = ArrayPool<byte>.Shared.Rent(OutputBufferSize);
        try
        {
            int start = 0, end = 0, pending = 0; // input[start..end] unparsed; output[..pending] not sent yet
            long skip = 0; // body bytes of the last request still to drop
            while (true)
            {
                if (skip > 0)
                {
                    int dropped = (int)Math.Min(skip, end - start);
                    start += dropped;
                    skip -= dropped;
                }

                // Answer every complete request already received (pipelining), collecting the responses.
                while (skip == 0 && start < end)
                {
                    var parsed = HttpRequestParser.TryParse(input.AsSpan(start, end - start), out var request, out int status);
                    if (parsed == HttpParseResult.Incomplete) break;
                    connection.CountRequest();
                    HttpResponseKind kind;
                    long bodyLength = 0;
                    if (parsed == HttpParseResult.Invalid) kind = HttpResponses.ForStatus(status);
                    else if (request.Method == HttpMethodKind.Other) kind = HttpResponseKind.MethodNotAllowed;
                    else kind = Route(input.AsSpan(start + request.TargetStart, request.TargetLength), out bodyLength);
                    if (kind != HttpResponseKind.Bytes) bodyLength = HttpResponses.Body(kind).Length;

                    // After a malformed request the framing of whatever follows is unknown: close. So too when the
                    // client waits for 100 Continue before sending a body: it may never send it after a final answer,
                    // and skipping it would swallow the next request instead.
                    bool keepAlive = parsed == HttpParseResult.Complete && kind != HttpResponseKind.BadRequest && request.KeepAlive &&
                        !(request.ExpectsContinue && request.ContentLength > 0);
                    var connectionHeader = !keepAlive ? HttpConnectionHeader.Close
                        : request.IsHttp10 ? HttpConnectionHeader.KeepAlive : HttpConnectionHeader.None;

                    if (pending + HttpResponses.MaxHeadLength > output.Length)
                    {
                        if (!await connection.SendAsync(output.AsMemory(0, pending)).ConfigureAwait(false)) return;
                        pending = 0;
                    }
                    pending += HttpResponses.WriteHead(output.AsSpan(pending), kind, bodyLength, connectionHeader);
                    if (parsed == HttpParseResult.Invalid || request.Method != HttpMethodKind.Head)
                    {
                        if (kind == HttpResponseKind.Bytes)
                        {
                            // Stream: fill the free part of the output buffer, send it when full, until N bytes went.
                            for (long offset = 0; offset < bodyLength;)
                            {
                                if (pending == output.Length)
                                {
                                    if (!await connection.SendAsync(output.AsMemory(0, pending)).ConfigureAwait(false)) return;
                                    pending = 0;
                                }
                                int n = (int)Math.Min(bodyLength - offset, output.Length - pending);
                                DeterministicContent.Fill(offset, output.AsSpan(pending, n));
                                pending += n;
                                offset += n;
                            }
                        }
                        else
                        {
                            int length = HttpResponses.Body(kind).Length;
                            if (pending + length > output.Length)
                            {
                                if (!await connection.SendAsync(output.AsMemory(0, pending)).ConfigureAwait(false)) return;
                                pending = 0;
                            }
                            HttpResponses.Body(kind).CopyTo(output.AsSpan(pending));
                            pending += length;
                        }
                    }

                    if (!keepAlive)
                    {
                        if (pending > 0 && !await connection.SendAsync(output.AsMemory(0, pending)).ConfigureAwait(false)) return;
                        await connection.LingeringCloseAsync(input, LingerTimeout).ConfigureAwait(false);
                        return;
                    }
                    start += request.HeadLength;
                    skip = request.ContentLength;
                    int inBuffer = (int)Math.Min(skip, end - start);
                    start += inBuffer;
                    skip -= inBuffer;
                }

                // Out of complete requests: send what was collected, then read more.
                if (pending > 0)
                {
                    if (!await connection.SendAsync(output.AsMemory(0, pending)).ConfigureAwait(false)) return;
                    pending = 0;
                }
                if (start == end)
                {
                    start = end = 0;
                }
                else if (start > 0)
                {
                    input.AsSpan(start, end - start).CopyTo(input); // keep the partial request at the front
                    end -= start;
                    start = 0;
                }
                if (end == input.Length)
                {
                    // A request head larger than the buffer: refuse it rather than grow without bound.
                    connection.CountRequest();
                    pending = HttpResponses.WriteHead(output, HttpResponseKind.BadRequest, HttpResponses.Body(HttpResponseKind.BadRequest).Length, HttpConnectionHeader.Close);
                    HttpResponses.Body(HttpResponseKind.BadRequest).CopyTo(output.AsSpan(pending));
                    pending += HttpResponses.Body(HttpResponseKind.BadRequest).Length;
                    if (!await connection.SendAsync(output.AsMemory(0, pending)).ConfigureAwait(false)) return;
                    await connection.LingeringCloseAsync(input, LingerTimeout).ConfigureAwait(false);
                    return;
                }
                int received = await connection.ReceiveAsync(input.AsMemory(end)).ConfigureAwait(false);
                if (received <= 0) return; // the client closed (or the connection failed)
                end += received;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    /// <summary>
    /// What a GET or HEAD for <paramref name="target"/> returns: the page for <c>/</c>, <c>/bytes/N</c> with
    /// <paramref name="length"/> N, 404 for other paths, 400 for an N beyond 2^40. The query is ignored; an
    /// absolute-form target (<c>http://host/path</c>) is reduced to its path.
    /// </summary>
    public static HttpResponseKind Route(ReadOnlySpan<byte> target, out long length)
    {
        length = 0;
        if (StartsWithIgnoreCase(target, "http://"u8) || StartsWithIgnoreCase(target, "https://"u8))
        {
            var authorityAndPath = target[(target.IndexOf((byte)':') + 3)..];
            int slash = authorityAndPath.IndexOfAny((byte)'/', (byte)'?');
            target = slash < 0 ? "/"u8 : authorityAndPath[slash] == '?' ? "/"u8 : authorityAndPath[slash..];
        }
        int query = target.IndexOf((byte)'?');
        if (query >= 0) target = target[..query];
        if (target.SequenceEqual("/"u8) || target.SequenceEqual("/index.html"u8)) return HttpResponseKind.Page;
        if (!target.StartsWith("/bytes/"u8)) return HttpResponseKind.NotFound;
        var digits = target[7..];
        if (digits.IsEmpty) return HttpResponseKind.NotFound;
        long value = 0;
        foreach (byte b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9') return HttpResponseKind.NotFound;
            value = value * 10 + (b - '0');
            if (value > ServeOptions.MaxBodyBytes) return HttpResponseKind.BadRequest;
        }
        length = value;
        return HttpResponseKind.Bytes;
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> prefix) =>
        text.Length >= prefix.Length && System.Text.Ascii.EqualsIgnoreCase(text[..prefix.Length], prefix);
}
