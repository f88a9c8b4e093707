using System;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using NetKit.Appliance.Serve;
using Xunit;

namespace NetKit.Appliance.Tests.Serve;

/// <summary>The http service end to end over the memory link, with a raw HTTP/1.1 client on the other stack.</summary>
public sealed class HttpServiceTests : IDisposable
{
    private const ushort Port = 8080;
    private readonly ApplianceOnMemoryLink _appliance = new(new ServiceSpec(ServiceKind.Http, Port));

    public void Dispose() => _appliance.Dispose();

    private Task<HttpTestClient> ConnectAsync() => HttpTestClient.ConnectAsync(_appliance, Port);

    private static void AssertBytes(long length, HttpTestResponse response)
    {
        Assert.Equal(200, response.Status);
        Assert.Equal("application/octet-stream", response.Header("Content-Type"));
        Assert.Equal(length.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Header("Content-Length"));
        Assert.Equal(length, response.Body.Length);
        Assert.True(DeterministicContent.Verify(0, response.Body, out int bad), $"body differs at {bad}");
    }

    [Fact]
    public async Task TheRootReturnsTheHtmlPage()
    {
        using var client = await ConnectAsync();
        var response = await client.RequestAsync("/");
        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
        Assert.Equal("text/html; charset=utf-8", response.Header("Content-Type"));
        Assert.Equal(HttpResponses.Page.ToArray(), response.Body);
        Assert.Contains("<html>", response.Text);
        Assert.NotNull(response.Header("Date"));
        Assert.Null(response.Header("Connection")); // HTTP/1.1 keeps it open without saying so
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(1024)]
    [InlineData(65_537)]
    [InlineData(3_000_001)]
    public async Task BytesNReturnsNBytesOfDeterministicContent(int length)
    {
        using var client = await ConnectAsync();
        AssertBytes(length, await client.RequestAsync($"/bytes/{length}"));
    }

    [Fact]
    public async Task KeepAliveServesTwoRequestsOnOneConnection()
    {
        using var client = await ConnectAsync();
        AssertBytes(1024, await client.RequestAsync("/bytes/1024"));
        Assert.Equal(HttpResponses.Page.ToArray(), (await client.RequestAsync("/")).Body);
        Assert.Equal(1, _appliance.Host.Services[0].Counters.Connections);
        Assert.True(await ApplianceOnMemoryLink.EventuallyAsync(() => _appliance.Host.Services[0].Counters.Requests == 2));
    }

    [Fact]
    public async Task PipelinedRequestsAreAnsweredInOrder()
    {
        using var client = await ConnectAsync();
        int[] lengths = [10, 0, 1024, 70_000, 5, 1024, 1024, 1, 200_000, 3];
        var requests = new StringBuilder();
        foreach (int length in lengths) requests.Append($"GET /bytes/{length} HTTP/1.1\r\nHost: test\r\n\r\n");
        requests.Append("GET / HTTP/1.1\r\nHost: test\r\n\r\n");
        requests.Append("GET /missing HTTP/1.1\r\nHost: test\r\n\r\n");
        await client.SendAsync(requests.ToString()); // one write: the requests arrive together
        foreach (int length in lengths) AssertBytes(length, await client.ReadResponseAsync());
        Assert.Equal(200, (await client.ReadResponseAsync()).Status);
        Assert.Equal(404, (await client.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task ManySmallPipelinedRequestsShareTheOutputBuffer()
    {
        using var client = await ConnectAsync();
        var one = "GET /bytes/1024 HTTP/1.1\r\nHost: t\r\n\r\n";
        await client.SendAsync(string.Concat(Enumerable.Repeat(one, 200)));
        for (int i = 0; i < 200; i++) AssertBytes(1024, await client.ReadResponseAsync());
    }

    [Fact]
    public async Task ARequestSplitAcrossSegmentsIsParsedWhenComplete()
    {
        using var client = await ConnectAsync();
        var request = Encoding.ASCII.GetBytes("GET /bytes/77 HTTP/1.1\r\nHost: test\r\nUser-Agent: slow\r\n\r\n");
        foreach (var piece in request.Chunk(7))
        {
            await client.SendAsync(piece);
            await Task.Delay(5);
        }
        AssertBytes(77, await client.ReadResponseAsync());
    }

    [Fact]
    public async Task AnUnknownPathIs404AndTheConnectionStaysOpen()
    {
        using var client = await ConnectAsync();
        var response = await client.RequestAsync("/nothing-here");
        Assert.Equal(404, response.Status);
        Assert.Equal(response.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Header("Content-Length"));
        Assert.Equal(404, (await client.RequestAsync("/bytes/abc")).Status);
        Assert.Equal(200, (await client.RequestAsync("/?query=1")).Status);
    }

    [Fact]
    public async Task OtherMethodsAre405WithAllowAndTheirBodiesAreSkipped()
    {
        using var client = await ConnectAsync();
        await client.SendAsync("POST /bytes/10 HTTP/1.1\r\nHost: test\r\nContent-Length: 11\r\n\r\nhello world");
        var response = await client.ReadResponseAsync();
        Assert.Equal(405, response.Status);
        Assert.Equal("GET, HEAD", response.Header("Allow"));
        // The body was skipped, not parsed as the next request: the connection still serves.
        AssertBytes(10, await client.RequestAsync("/bytes/10"));
        Assert.Equal(405, (await client.RequestAsync("/", method: "DELETE")).Status);
    }

    [Fact]
    public async Task ARequestWaitingFor100ContinueGetsItsAnswerAndTheConnectionCloses()
    {
        using var client = await ConnectAsync();
        await client.SendAsync("PUT /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal(405, response.Status);
        Assert.Equal("close", response.Header("Connection")); // the body may never come: no framing to keep
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Theory]
    [InlineData("GARBAGE\r\n\r\n")]
    [InlineData("GET /\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nBad Header: x\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n")]
    [InlineData("GET /bytes/1099511627777 HTTP/1.1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")]
    public async Task AMalformedRequestIs400AndClosesTheConnection(string request)
    {
        using var client = await ConnectAsync();
        await client.SendAsync(request);
        var response = await client.ReadResponseAsync();
        Assert.Equal(400, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task AnOversizedHeadIs400()
    {
        using var client = await ConnectAsync();
        await client.SendAsync($"GET / HTTP/1.1\r\nX-Big: {new string('a', HttpService.InputBufferSize)}\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal(400, response.Status);
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task OtherVersionsAndTransferCodingsAreRefused()
    {
        using (var client = await ConnectAsync())
        {
            await client.SendAsync("GET / HTTP/2.0\r\n\r\n");
            Assert.Equal(505, (await client.ReadResponseAsync()).Status);
        }
        using (var client = await ConnectAsync())
        {
            await client.SendAsync("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
            Assert.Equal(501, (await client.ReadResponseAsync()).Status);
        }
    }

    [Fact]
    public async Task HeadReturnsTheHeadersWithoutABody()
    {
        using var client = await ConnectAsync();
        var head = await client.RequestAsync("/bytes/5000", method: "HEAD");
        Assert.Equal(200, head.Status);
        Assert.Equal("5000", head.Header("Content-Length"));
        var pageHead = await client.RequestAsync("/", method: "HEAD");
        Assert.Equal(HttpResponses.Page.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), pageHead.Header("Content-Length"));
        // Had a body been sent, this response would be read from the middle of it.
        AssertBytes(3, await client.RequestAsync("/bytes/3"));
    }

    [Fact]
    public async Task ConnectionCloseIsHonoured()
    {
        using var client = await ConnectAsync();
        var response = await client.RequestAsync("/bytes/100", extraHeaders: "Connection: close\r\n");
        AssertBytes(100, response);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Http10ClosesUnlessAskedToKeepAlive()
    {
        using (var client = await ConnectAsync())
        {
            await client.SendAsync("GET / HTTP/1.0\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal(200, response.Status);
            Assert.Equal("close", response.Header("Connection"));
            Assert.True(await client.IsClosedByServerAsync());
        }
        using (var client = await ConnectAsync())
        {
            await client.SendAsync("GET /bytes/9 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            var response = await client.ReadResponseAsync();
            AssertBytes(9, response);
            Assert.Equal("keep-alive", response.Header("Connection"));
            AssertBytes(8, await client.RequestAsync("/bytes/8"));
        }
    }

    [Fact]
    public async Task ManyConnectionsAtOnceAreServedAndCounted()
    {
        var clients = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => ConnectAsync()));
        try
        {
            await Task.WhenAll(clients.Select(async c =>
            {
                for (int i = 0; i < 5; i++) AssertBytes(1024, await c.RequestAsync("/bytes/1024"));
            }));
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
        var service = _appliance.Host.Services[0];
        Assert.True(await ApplianceOnMemoryLink.EventuallyAsync(() => service.Counters.Requests == 80 && ((TcpService)service).ActiveConnections == 0));
        Assert.Equal(16, service.Counters.Connections);
        Assert.True(service.Counters.BytesOut > 80 * 1024);
    }

    [Fact]
    public async Task StoppingTheServiceClosesOpenConnections()
    {
        using var client = await ConnectAsync();
        AssertBytes(1, await client.RequestAsync("/bytes/1"));
        _appliance.Host.StopServices();
        Assert.True(await client.IsClosedByServerAsync());
    }
}
