namespace Portal.Core.Platforms;

/// <summary>A platform whose servers can also sign in with OAuth 1.0a (RSA-SHA1): the portal makes the consumer's keys.</summary>
public interface IOAuth1Platform : IPlatform
{
    /// <summary>A new Consumer Key and RSA key pair for one integration; the private key never leaves the portal.</summary>
    OAuth1Keys NewOAuth1Keys();

    /// <summary>What the administrator enters on the server for an OAuth 1 link, in the server's words.</summary>
    /// <param name="serverAlsoOffersOAuth2">The detected server supports OAuth 2 as well (the administrator chose OAuth 1).</param>
    OAuth1Guide OAuth1GuideFor(string publicUrl, string applicationName, string consumerKey, string publicKeyPem, bool serverAlsoOffersOAuth2);
}

/// <summary>The OAuth 1 counterpart of <see cref="ApplicationGuide"/>: values to copy instead of a Redirect URL, then the steps.</summary>
/// <param name="Intro">What the values are for, one sentence.</param>
/// <param name="Values">Each value with the label the server's form uses.</param>
/// <param name="Notes">Advice about fields to leave alone, marked like <see cref="ApplicationGuide.Steps"/>.</param>
/// <param name="Steps">The steps after opening <see cref="ApplicationGuide.AdminPageUrl"/>, marked like <see cref="ApplicationGuide.Steps"/>.</param>
/// <param name="ChoiceWarning">Shown when OAuth 1 was chosen on a server that supports OAuth 2; <c>null</c> for none.</param>
public sealed record OAuth1Guide(string Intro, IReadOnlyList<CopyValue> Values, IReadOnlyList<string> Notes, IReadOnlyList<string> Steps, string? ChoiceWarning);

/// <summary>A value the administrator copies into the server's form.</summary>
/// <param name="Id">A stable id for the field (unique on a page).</param>
/// <param name="Lines">How many lines the value needs (a PEM block needs several).</param>
public sealed record CopyValue(string Label, string Value, string Id, int Lines = 1);
