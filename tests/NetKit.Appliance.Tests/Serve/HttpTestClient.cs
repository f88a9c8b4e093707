using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using NetKit.Runtime;
using NetKit.Runtime.Sockets;

namespace NetKit.Appliance.Tests.Serve;

/// <summary>A response as the test client read it.</summary>
internal sealed record HttpTestResponse(int Status, string StatusLine, Dictionary<string, string> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>A minimal HTTP/1.1 client over a <see cref="NetKitSocket"/>: raw requests out, framed responses in.</summary>
internal sealed class HttpTestClient : IDisposable
{
    private readonly NetKitSocket _socket;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start, _end;

    private HttpTestClient(NetKitSocket socket) => _socket = socket;

    public NetKitSocket Socket => _socket;

    public static async Task<HttpTestClient> ConnectAsync(ApplianceOnMemoryLink appliance, ushort port = 80) =>
        new(await appliance.ConnectAsync(port));

    public Task SendAsync(string request) => _socket.SendAllAsync(Encoding.ASCII.GetBytes(request));

    public Task SendAsync(byte[] request) => _socket.SendAllAsync(request);

    /// <summary>Sends a GET (or another method) for <paramref name="target"/> and reads the response.</summary>
    public async Task<HttpTestResponse> RequestAsync(string target, string method = "GET", string extraHeaders = "")
    {
        await SendAsync($"{method} {target} HTTP/1.1\r\nHost: test\r\n{extraHeaders}\r\n");
        return await ReadResponseAsync(head: method == "HEAD");
    }

    /// <summary>Reads one response; a HEAD response has no body whatever its Content-Length says.</summary>
    public async Task<HttpTestResponse> ReadResponseAsync(bool head = false)
    {
        int headEnd;
        while ((headEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (!await FillAsync()) throw new EndOfStreamException("connection closed before a response head");
        }
        string headText = Encoding.ASCII.GetString(_buffer, _start, headEnd);
        _start += headEnd + 4;
        var lines = headText.Split("\r\n");
        var statusLine = lines[0];
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal))
            throw new InvalidDataException($"bad status line '{statusLine}'");
        int status = int.Parse(parts[1], CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 1; i < lines.Length; i++)
        {
            int colon = lines[i].IndexOf(':');
            var name = lines[i][..colon];
            if (headers.ContainsKey(name)) throw new InvalidDataException($"header {name} twice");
            headers[name] = lines[i][(colon + 1)..].Trim();
        }
        if (!headers.TryGetValue("Content-Length", out var lengthText)) throw new InvalidDataException("no Content-Length");
        long length = long.Parse(lengthText, CultureInfo.InvariantCulture);
        if (head) return new HttpTestResponse(status, statusLine, headers, []);
        var body = new byte[length];
        int have = 0;
        while (have < length)
        {
            if (_start == _end && !await FillAsync()) throw new EndOfStreamException($"connection closed after {have} of {length} body bytes");
            int n = (int)Math.Min(length - have, _end - _start);
            _buffer.AsSpan(_start, n).CopyTo(body.AsSpan(have));
            _start += n;
            have += n;
        }
        return new HttpTestResponse(status, statusLine, headers, body);
    }

    /// <summary>True when the server closed the connection (FIN or reset) with nothing more to read.</summary>
    public async Task<bool> IsClosedByServerAsync()
    {
        if (_start != _end) return false;
        try
        {
            return !await FillAsync();
        }
        catch (NetKitSocketException e) when (e.Errno == Errno.ECONNRESET)
        {
            return true;
        }
    }

    private async Task<bool> FillAsync()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        int n = await _socket.ReceiveAsync(_buffer.AsMemory(_end)).AsTask().WaitAsync(ApplianceOnMemoryLink.Limit);
        _end += n;
        return n > 0;
    }

    public void Dispose() => _socket.Dispose();
}
