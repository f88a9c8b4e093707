using System;
using System.IO;

namespace NetKit.Appliance.Tests.Support;

/// <summary>A private directory under /tmp for test files (peer tools in namespaces see the same file system); deleted on Dispose.</summary>
public sealed class ScratchDirectory : IDisposable
{
    public ScratchDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"nk-e2e-{Environment.ProcessId}-{Guid.NewGuid():N}"[..32]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes <paramref name="length"/> seeded random bytes to <paramref name="name"/>; returns the path and SHA-256.</summary>
    public (string Path, string Sha256) RandomFile(string name, int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        string path = File(name);
        System.IO.File.WriteAllBytes(path, data);
        return (path, Sha256Of.Bytes(data));
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
