using System.Security.Cryptography;
using System.Text;
using Portal.Core.Security;

namespace Portal.Core.OAuth.AuthorizationCode;

/// <summary>PKCE (RFC 7636) with the S256 method.</summary>
public static class Pkce
{
    /// <summary>43 characters from the unreserved set, as RFC 7636 requires (<c>[0-9a-zA-Z~\-._]{43,128}</c>).</summary>
    public static string NewVerifier() => SecretHash.NewRandomToken(32);

    public static string S256Challenge(string verifier) => SecretHash.Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
}
