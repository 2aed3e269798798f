using Portal.Core.Platforms.BitbucketServer.OAuth1;

namespace Portal.Tests.Core.OAuth1;

/// <summary>Problems Bitbucket reports for a request signed with the access token (the identity lookup).</summary>
public sealed class ResourceProblemMappingTests
{
    private static readonly DateTimeOffset PortalClock = DateTimeOffset.Parse("2026-11-28T12:00:00Z");

    private static OAuth1Error Map(string body, int status, DateTimeOffset? serverDate = null) =>
        OAuth1Errors.FromResourceProblem(OAuth1Problem.Read(null, body)!, "portal-0123456789abcdef", PortalClock, serverDate, status);

    [Fact]
    public void A_rejected_access_token_is_described_as_the_access_token_not_the_request_token()
    {
        var error = Map("oauth_problem=token_rejected", 401);

        Assert.Equal((OAuth1ErrorKind.TokenRejected, "token_rejected", 401), (error.Kind, error.Problem, error.StatusCode));
        Assert.StartsWith("When the portal asked who signed in", error.Message, StringComparison.Ordinal);
        Assert.Contains("different Bitbucket installations", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_access_token_names_Bitbucket_s_token_lifetime_setting()
    {
        var error = Map("oauth_problem=token_expired", 401);

        Assert.Equal(OAuth1ErrorKind.TokenExpired, error.Kind);
        Assert.Contains("atlassian.oauth.default.access.token.ttl", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("10 minutes", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("oauth_problem=timestamp_refused", 400, OAuth1ErrorKind.TimestampRefused, "clock skew")]
    [InlineData("oauth_problem=signature_invalid", 401, OAuth1ErrorKind.SignatureInvalid, "paste this integration's public key again")]
    [InlineData("oauth_problem=nonce_used", 401, OAuth1ErrorKind.NonceUsed, "oauth_problem=nonce_used")]
    [InlineData("oauth_problem=consumer_key_unknown", 401, OAuth1ErrorKind.ConsumerKeyUnknown, "portal-0123456789abcdef")]
    [InlineData("oauth_problem=version_rejected&oauth_acceptable_versions=1.0-1.0", 400, OAuth1ErrorKind.OtherProblem, "oauth_problem=version_rejected")]
    public void Other_problems_get_the_token_steps_message_after_saying_which_request_was_refused(string body, int status, OAuth1ErrorKind kind, string detail)
    {
        var error = Map(body, status, PortalClock.AddMinutes(10));

        Assert.Equal((kind, status), (error.Kind, error.StatusCode));
        Assert.StartsWith("When the portal asked who signed in, with a request signed with the access token Bitbucket had just issued, Bitbucket refused the request.", error.Message, StringComparison.Ordinal);
        Assert.Contains(detail, error.Message, StringComparison.Ordinal);
    }
}
