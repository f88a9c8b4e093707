using System.Text;
using NetKit.Appliance.Serve;
using Xunit;

namespace NetKit.Appliance.Tests.Serve;

/// <summary>The request-head parser and the router, without a network.</summary>
public sealed class HttpRequestParserTests
{
    private static (HttpParseResult Result, HttpRequest Request, int Status, string Target) Parse(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        var result = HttpRequestParser.TryParse(bytes, out var request, out int status);
        string target = result == HttpParseResult.Complete ? Encoding.ASCII.GetString(bytes, request.TargetStart, request.TargetLength) : "";
        return (result, request, status, target);
    }

    [Fact]
    public void ASimpleGetIsComplete()
    {
        const string text = "GET /bytes/10 HTTP/1.1\r\nHost: x\r\nUser-Agent: t\r\n\r\nGET / HTTP/1.1\r\n";
        var (result, request, _, target) = Parse(text);
        Assert.Equal(HttpParseResult.Complete, result);
        Assert.Equal(HttpMethodKind.Get, request.Method);
        Assert.Equal("/bytes/10", target);
        Assert.False(request.IsHttp10);
        Assert.True(request.KeepAlive);
        Assert.Equal(0, request.ContentLength);
        Assert.Equal(text.IndexOf("\r\n\r\n", System.StringComparison.Ordinal) + 4, request.HeadLength); // the next request is not consumed
    }

    [Theory]
    [InlineData("")]
    [InlineData("GET / HTTP/1.1")]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n\r")]
    [InlineData("\r\n")]
    public void APartialHeadIsIncomplete(string text) => Assert.Equal(HttpParseResult.Incomplete, Parse(text).Result);

    [Fact]
    public void BareLineFeedsAndLeadingEmptyLinesAreAccepted()
    {
        var (result, request, _, target) = Parse("\r\n\nHEAD /x HTTP/1.1\nHost: y\n\n");
        Assert.Equal(HttpParseResult.Complete, result);
        Assert.Equal(HttpMethodKind.Head, request.Method);
        Assert.Equal("/x", target);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.1\r\nconnection: Keep-Alive, CLOSE\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.1\r\nConnection: upgrade\r\n\r\n", true)]
    [InlineData("GET / HTTP/1.0\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true)]
    [InlineData("GET / HTTP/1.2\r\n\r\n", true)]
    public void KeepAliveFollowsTheVersionAndConnectionHeader(string text, bool keepAlive)
    {
        var (result, request, _, _) = Parse(text);
        Assert.Equal(HttpParseResult.Complete, result);
        Assert.Equal(keepAlive, request.KeepAlive);
    }

    [Theory]
    [InlineData("POST / HTTP/1.1\r\nContent-Length: 42\r\n\r\n", 42)]
    [InlineData("PUT / HTTP/1.1\r\nContent-Length: 7\r\ncontent-length: 7\r\n\r\n", 7)]
    public void TheContentLengthIsRead(string text, long length)
    {
        var (result, request, _, _) = Parse(text);
        Assert.Equal(HttpParseResult.Complete, result);
        Assert.Equal(HttpMethodKind.Other, request.Method);
        Assert.Equal(length, request.ContentLength);
    }

    [Fact]
    public void ExpectContinueIsNoticed()
    {
        var (result, request, _, _) = Parse("POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 9\r\n\r\n");
        Assert.Equal(HttpParseResult.Complete, result);
        Assert.True(request.ExpectsContinue);
        Assert.False(Parse("GET / HTTP/1.1\r\n\r\n").Request.ExpectsContinue);
    }

    [Theory]
    [InlineData("GET  / HTTP/1.1\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1 \r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1 extra\r\n\r\n", 400)]
    [InlineData("GET / HTTQ/1.1\r\n\r\n", 400)]
    [InlineData("GET / HTTP/11\r\n\r\n", 400)]
    [InlineData("G(T / HTTP/1.1\r\n\r\n", 400)]
    [InlineData("GET /a\u0001b HTTP/1.1\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nNo-Colon\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\n: empty-name\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nName : space\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nName: a\u0000b\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nName: a\rb\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501)]
    [InlineData("GET / HTTP/2.0\r\n\r\n", 505)]
    [InlineData("GET / HTTP/0.9\r\n\r\n", 505)]
    public void MalformedHeadsAreInvalidWithTheirStatus(string text, int status)
    {
        var (result, _, errorStatus, _) = Parse(text);
        Assert.Equal(HttpParseResult.Invalid, result);
        Assert.Equal(status, errorStatus);
    }

    [Fact]
    public void ABadRequestLineIsInvalidBeforeTheHeadEnds() =>
        Assert.Equal(HttpParseResult.Invalid, Parse("NOT A REQUEST LINE\r\nHost: x\r\n").Result);

    [Fact]
    public void TooManyHeadersAreInvalid()
    {
        var text = new StringBuilder("GET / HTTP/1.1\r\n");
        for (int i = 0; i <= HttpRequestParser.MaxHeaders; i++) text.Append($"X-{i}: v\r\n");
        Assert.Equal(HttpParseResult.Invalid, Parse(text.Append("\r\n").ToString()).Result);
    }

    [Theory]
    [InlineData("/", HttpResponseKind.Page, 0)]
    [InlineData("/index.html", HttpResponseKind.Page, 0)]
    [InlineData("/?a=b", HttpResponseKind.Page, 0)]
    [InlineData("http://host:80/", HttpResponseKind.Page, 0)]
    [InlineData("http://host", HttpResponseKind.Page, 0)]
    [InlineData("HTTP://host/bytes/5", HttpResponseKind.Bytes, 5)]
    [InlineData("/bytes/0", HttpResponseKind.Bytes, 0)]
    [InlineData("/bytes/1024?x", HttpResponseKind.Bytes, 1024)]
    [InlineData("/bytes/1099511627776", HttpResponseKind.Bytes, 1099511627776)]
    [InlineData("/bytes/1099511627777", HttpResponseKind.BadRequest, 0)]
    [InlineData("/bytes/99999999999999999999999", HttpResponseKind.BadRequest, 0)]
    [InlineData("/bytes/", HttpResponseKind.NotFound, 0)]
    [InlineData("/bytes/-1", HttpResponseKind.NotFound, 0)]
    [InlineData("/bytes/1k", HttpResponseKind.NotFound, 0)]
    [InlineData("/bytes", HttpResponseKind.NotFound, 0)]
    [InlineData("/other", HttpResponseKind.NotFound, 0)]
    [InlineData("*", HttpResponseKind.NotFound, 0)]
    public void TargetsAreRouted(string target, HttpResponseKind kind, long length)
    {
        Assert.Equal(kind, HttpService.Route(Encoding.ASCII.GetBytes(target), out long n));
        Assert.Equal(length, n);
    }

    [Fact]
    public void AHeadCarriesTheRightLengthAndHeaders()
    {
        var buffer = new byte[HttpResponses.MaxHeadLength];
        int n = HttpResponses.WriteHead(buffer, HttpResponseKind.MethodNotAllowed, 1234567, HttpConnectionHeader.Close);
        var text = Encoding.ASCII.GetString(buffer, 0, n);
        Assert.StartsWith("HTTP/1.1 405 Method Not Allowed\r\n", text);
        Assert.Contains("\r\nContent-Length: 1234567\r\n", text);
        Assert.Contains("\r\nAllow: GET, HEAD\r\n", text);
        Assert.Contains("\r\nConnection: close\r\n", text);
        Assert.Matches(@"\r\nDate: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT\r\n", text);
        Assert.EndsWith("\r\n\r\n", text);
        n = HttpResponses.WriteHead(buffer, HttpResponseKind.Bytes, ServeOptions.MaxBodyBytes, HttpConnectionHeader.KeepAlive);
        Assert.True(n < HttpResponses.MaxHeadLength);
    }
}
