using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Portal.Core.Security;

/// <summary>The purposes secrets are protected for; a value protected for one purpose cannot be read for another.</summary>
public static class SecretPurpose
{
    public const string ClientSecret = "Portal.Integrations.ClientSecret.v1";
    public const string PrivateKey = "Portal.Integrations.PrivateKey.v1";
    public const string AccessToken = "Portal.Accounts.AccessToken.v1";
    public const string RefreshToken = "Portal.Accounts.RefreshToken.v1";
    public const string PkceVerifier = "Portal.OAuth.PkceVerifier.v1";
    public const string OAuth1TokenSecret = "Portal.OAuth.OAuth1TokenSecret.v1";
}

/// <summary>Encrypts secrets at rest with ASP.NET Core Data Protection, whose keys live in the portal's database.</summary>
public sealed class SecretProtector(IDataProtectionProvider provider)
{
    public string Protect(string purpose, string plaintext) => provider.CreateProtector(purpose).Protect(plaintext);

    /// <summary>Returns null when the value cannot be read (keys lost, or protected for another purpose).</summary>
    public string? TryUnprotect(string purpose, string protectedValue)
    {
        try
        {
            return provider.CreateProtector(purpose).Unprotect(protectedValue);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
