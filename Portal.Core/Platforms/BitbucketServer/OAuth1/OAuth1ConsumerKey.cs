using System.Security.Cryptography;

namespace Portal.Core.Platforms.BitbucketServer.OAuth1;

/// <summary>Generates Consumer Keys for new OAuth 1 integrations: <c>portal-</c> followed by 16 random hex digits.</summary>
public static class OAuth1ConsumerKey
{
    /// <summary>The fixed start of every generated key, so an administrator recognises it in Bitbucket's link list.</summary>
    public const string Prefix = "portal-";

    /// <summary>A new Consumer Key such as <c>portal-3f9a0c1b7d2e4f60</c>.</summary>
    public static string Generate() => Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
