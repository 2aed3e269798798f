using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Security;

/// <summary>Random one-time values and their stored hashes (tokens and states are looked up by hash, never stored plain).</summary>
public static class SecretHash
{
    /// <summary>A URL-safe random value of <paramref name="bytes"/> bytes of entropy.</summary>
    public static string NewRandomToken(int bytes = 16) => Base64Url(RandomNumberGenerator.GetBytes(bytes));

    public static string Sha256Hex(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    public static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
