using Portal.Core.Platforms;
namespace Portal.Core.Integrations;

/// <summary>The words for replacing an integration's credentials (<see cref="CredentialReplacementService"/>).</summary>
public static class CredentialReplacementMessages
{
    /// <summary>"Client Secret" or "key pair".</summary>
    public static string Noun(CredentialKind kind) => kind == CredentialKind.ClientSecret ? "Client Secret" : "key pair";

    /// <summary>A verification of new credentials was asked for, but none are pending.</summary>
    public static string NothingPending(Integration integration)
    {
        ArgumentNullException.ThrowIfNull(integration);
        return integration.OAuthVersion == OAuthVersion.OAuth2
            ? $"No new Client Secret is waiting to be verified for \"{integration.Name}\" (it was verified or discarded meanwhile). Paste the new secret on the integration's Replace Client Secret page first."
            : $"No new key pair is waiting to be verified for \"{integration.Name}\" (it was verified or discarded meanwhile). Generate a new key pair on the integration's Replace key pair page first.";
    }

    /// <summary>The pending credentials a verification tested were discarded or replaced before it came back.</summary>
    public static string DiscardedMeanwhile(CredentialKind kind) =>
        $"The new {Noun(kind)} this verification tested was discarded or replaced while the server had the browser, so nothing was swapped and the current {Noun(kind)} stays in use. Open the Replace page and verify what is pending now.";

    /// <summary>The new credentials worked, but the person who started the verification may no longer change the integration.</summary>
    public static string NotSwappedWithoutAccess(CredentialKind kind, string refusal) =>
        $"The new {Noun(kind)} worked, but it was not swapped in: {refusal} The current {Noun(kind)} stays in use and the new one stays pending; an administrator can verify it again.";
}
