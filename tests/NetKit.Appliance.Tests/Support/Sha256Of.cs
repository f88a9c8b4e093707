using System;
using System.IO;
using System.Security.Cryptography;

namespace NetKit.Appliance.Tests.Support;

/// <summary>SHA-256 digests (hex) of what a test sent, expected or received.</summary>
public static class Sha256Of
{
    public static string Bytes(ReadOnlySpan<byte> data) => Convert.ToHexString(SHA256.HashData(data));

    public static string File(string path)
    {
        using var stream = System.IO.File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    /// <summary>
    /// The digest of the first <paramref name="length"/> bytes of the http service's /bytes content, computed from the
    /// formula itself (byte i = (byte)(i*7 + (i>>8)*13)), not through the appliance's code, and also through
    /// <see cref="global::NetKit.Appliance.Serve.DeterministicContent.Fill"/>: both must agree or the oracle is wrong.
    /// </summary>
    public static string DeterministicContent(long length)
    {
        using var formula = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var library = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunk = new byte[1 << 16];
        var fromLibrary = new byte[1 << 16];
        for (long offset = 0; offset < length; offset += chunk.Length)
        {
            int n = (int)Math.Min(chunk.Length, length - offset);
            for (int j = 0; j < n; j++)
            {
                long i = offset + j;
                chunk[j] = unchecked((byte)(i * 7 + (i >> 8) * 13));
            }
            formula.AppendData(chunk, 0, n);
            global::NetKit.Appliance.Serve.DeterministicContent.Fill(offset, fromLibrary.AsSpan(0, n));
            library.AppendData(fromLibrary, 0, n);
        }
        string expected = Convert.ToHexString(formula.GetHashAndReset());
        string viaFill = Convert.ToHexString(library.GetHashAndReset());
        if (expected != viaFill) throw new InvalidDataException($"DeterministicContent.Fill disagrees with the formula: {viaFill} vs {expected}");
        return expected;
    }
}
