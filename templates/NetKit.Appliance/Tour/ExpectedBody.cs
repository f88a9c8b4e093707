using System;
using System.Security.Cryptography;
using NetKit.Appliance.Serve;

namespace NetKit.Appliance.Tour;

/// <summary>
/// What <c>/bytes/N</c> must hash to, computed here from <see cref="DeterministicContent"/> rather than taken from
/// the server: the check compares two independent productions of the same bytes.
/// </summary>
public static class ExpectedBody
{
    /// <summary>SHA-256 of the first <paramref name="length"/> bytes of <see cref="DeterministicContent"/>.</summary>
    public static byte[] Sha256(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunk = new byte[1 << 16];
        for (long offset = 0; offset < length; offset += chunk.Length)
        {
            int count = (int)Math.Min(chunk.Length, length - offset);
            DeterministicContent.Fill(offset, chunk.AsSpan(0, count));
            hash.AppendData(chunk, 0, count);
        }
        return hash.GetHashAndReset();
    }
}
