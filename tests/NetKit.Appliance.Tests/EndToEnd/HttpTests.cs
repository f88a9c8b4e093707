using System;
using System.IO;
using System.Threading.Tasks;
using NetKit.Appliance.Tests.Support;
using Xunit;

namespace NetKit.Appliance.Tests.EndToEnd;

/// <summary>curl (Linux TCP) from the peer namespace against the appliance's http service.</summary>
[Collection(ApplianceCollection.Name)]
public sealed class HttpTests(ApplianceFixture fixture)
{
    [LinuxFact("curl")]
    public async Task ThePageIsServed()
    {
        string body = fixture.Scratch.File("page.html");
        var curl = await fixture.Peer.RunAsync(["curl", "-sS", "--max-time", "20", "-o", body, "-w", "%{http_code}",
            $"http://{fixture.Host.ApplianceAddress}/"], TimeSpan.FromSeconds(30));
        Assert.True(curl.Succeeded, curl.ToString());
        Assert.Equal("200", curl.StandardOutput.Trim());
        Assert.Contains("<title>NetKit appliance</title>", await File.ReadAllTextAsync(body));
    }

    [LinuxFact("curl")]
    public async Task SixtyFourMebibytesOfDeterministicContentArriveIntact()
    {
        const long length = 64L << 20;
        string body = fixture.Scratch.File("bytes.bin");
        var expected = Task.Run(() => Sha256Of.DeterministicContent(length));
        var curl = await fixture.Peer.RunAsync(["curl", "-sS", "--max-time", "120", "-o", body, "-w", "%{http_code} %{size_download}",
            $"http://{fixture.Host.ApplianceAddress}/bytes/{length}"], TimeSpan.FromSeconds(130));
        Assert.True(curl.Succeeded, curl.ToString());
        Assert.Equal($"200 {length}", curl.StandardOutput.Trim());
        Assert.Equal(length, new FileInfo(body).Length);
        Assert.Equal(await expected, Sha256Of.File(body));
        File.Delete(body);
    }
}
