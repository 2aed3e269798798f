using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;

namespace Portal.Tests.Fakes;

/// <summary>
/// Reads an Incoming Authentication Public Key the way Bitbucket does (Atlassian OAuth's <c>RSAKeys</c>, see
/// shared/docs/bitbucket-protocol.md §8): text that starts with <c>-----BEGIN CERTIFICATE-----</c> is an X.509
/// certificate; anything else has its <c>-----…-----</c> markers removed and is Base64-decoded as a
/// SubjectPublicKeyInfo (<c>X509EncodedKeySpec</c>). So <c>-----BEGIN PUBLIC KEY-----</c> works and PKCS#1's
/// <c>-----BEGIN RSA PUBLIC KEY-----</c> does not.
/// </summary>
public static partial class BitbucketRsaKeys
{
    /// <summary>The RSA key in <paramref name="publicKeyText"/>; the caller disposes it.</summary>
    /// <exception cref="ArgumentException">Bitbucket could not read the text as a public key (its "Invalid public key").</exception>
    public static RSA FromPublicKeyText(string publicKeyText)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(publicKeyText);
        try
        {
            if (publicKeyText.StartsWith("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                using var certificate = X509Certificate2.CreateFromPem(publicKeyText);
                return certificate.GetRSAPublicKey() ?? throw new ArgumentException("Invalid public key: the certificate holds no RSA key.", nameof(publicKeyText));
            }

            var rsa = RSA.Create();
            try
            {
                rsa.ImportSubjectPublicKeyInfo(Base64Decode(Markers().Replace(publicKeyText, "")), out _);
                return rsa;
            }
            catch
            {
                rsa.Dispose();
                throw;
            }
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException("Invalid public key: Bitbucket reads only a \"PUBLIC KEY\" (SubjectPublicKeyInfo) or a certificate.", nameof(publicKeyText), e);
        }
    }

    /// <summary>commons-codec's decoder skips every character outside the Base64 alphabet (line breaks, spaces).</summary>
    private static byte[] Base64Decode(string text)
    {
        var alphabet = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '+' or '/')
            {
                alphabet.Append(c);
            }
        }
        while (alphabet.Length % 4 != 0)
        {
            alphabet.Append('=');
        }
        try
        {
            return Convert.FromBase64String(alphabet.ToString());
        }
        catch (FormatException e)
        {
            throw new CryptographicException("The key text is not Base64.", e);
        }
    }

    [GeneratedRegex("-----[A-Z ]*-----")]
    private static partial Regex Markers();
}
