using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Platforms;
using System.Net;
using Portal.Core.Accounts;
using Portal.Core.OAuth;
using Portal.Core.OAuth.AuthorizationCode;
using Portal.Core.Platforms.BitbucketServer.OAuth1;

namespace Portal.Tests.Core;

/// <summary>Two audiences for a failed sign-in: anyone on the sign-in page, and administrators (Verify, Status).</summary>
public sealed class SignInFailureMessagesTests
{
    public static TheoryData<SignInErrorKind> Kinds() => [.. Enum.GetValues<SignInErrorKind>()];

    private static readonly PlatformWording Words = BitbucketServerPlatform.KindOf.Wording;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_kind_has_its_own_public_message_that_says_what_to_do(SignInErrorKind kind)
    {
        var message = SignInFailureMessages.PublicMessage(kind);

        Assert.DoesNotContain("did not complete. Start it again", message, StringComparison.Ordinal);
        Assert.Matches("again|administrator|Choose another", message);
        Assert.Equal(Enum.GetValues<SignInErrorKind>().Length, Enum.GetValues<SignInErrorKind>().Select(k => SignInFailureMessages.PublicMessage(k)).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Public_messages_carry_no_internal_detail(SignInErrorKind kind)
    {
        var message = SignInFailureMessages.PublicMessage(kind);

        Assert.DoesNotMatch("https?:|[0-9]+\\.[0-9]+|:[0-9]+|oauth_|Exception|HTTP|UTC|Consumer Key|atlassian", message);
    }

    [Fact]
    public void A_failure_has_the_detail_for_administrators_and_the_kind_s_message_for_everyone()
    {
        var outcome = SignInOutcome.Failure(SignInErrorKind.ServerUnreachable, SignInStep.Token,
            "The portal could not reach Bitbucket at https://bitbucket.example.com:7990 to finish the sign-in (Connection refused).");

        Assert.Contains("bitbucket.example.com:7990", outcome.AdministratorMessage, StringComparison.Ordinal);
        Assert.Equal(SignInFailureMessages.PublicMessage(SignInErrorKind.ServerUnreachable), outcome.PublicMessage);
        Assert.Null((outcome with { ErrorKind = null }).PublicMessage);
    }

    [Theory]
    [InlineData("access_denied", SignInErrorKind.UserDeclined)]
    [InlineData("invalid_scope", SignInErrorKind.IntegrationMisconfigured)]
    [InlineData("unauthorized_client", SignInErrorKind.IntegrationMisconfigured)]
    [InlineData("server_error", SignInErrorKind.ServerUnavailable)]
    [InlineData("temporarily_unavailable", SignInErrorKind.ServerUnavailable)]
    [InlineData("made_up_error", SignInErrorKind.CallbackInvalid)]
    public void Callback_errors_map_to_a_kind(string error, SignInErrorKind kind) =>
        Assert.Equal(kind, OAuthErrorMessages.ForAuthorizeError(error, Words).Kind);

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("Bitbucket is down, call +1 555 0100")]
    [InlineData("made_up_error")]
    public void An_unknown_callback_error_is_not_repeated_in_the_message(string error)
    {
        var (_, message) = OAuthErrorMessages.ForAuthorizeError(error, Words);

        Assert.DoesNotContain(error, message, StringComparison.Ordinal);
        Assert.Contains("does not know", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("invalid_client", 401, SignInErrorKind.IntegrationMisconfigured)]
    [InlineData("invalid_grant", 400, SignInErrorKind.CodeRejected)]
    [InlineData("invalid_request", 400, SignInErrorKind.CodeRejected)]
    [InlineData("unsupported_grant_type", 400, SignInErrorKind.IntegrationMisconfigured)]
    [InlineData(null, 502, SignInErrorKind.ServerUnavailable)]
    [InlineData(null, 429, SignInErrorKind.ServerUnavailable)]
    [InlineData(null, 200, SignInErrorKind.IntegrationMisconfigured)]
    [InlineData("something_else", 400, SignInErrorKind.IntegrationMisconfigured)]
    // An outage is an outage whatever code its body carries (OpenIddict, gateways and others put one in).
    [InlineData("server_error", 500, SignInErrorKind.ServerUnavailable)]
    [InlineData("temporarily_unavailable", 503, SignInErrorKind.ServerUnavailable)]
    [InlineData("invalid_request", 502, SignInErrorKind.ServerUnavailable)]
    [InlineData("Bad Gateway", 502, SignInErrorKind.ServerUnavailable)]
    [InlineData("invalid_request", 429, SignInErrorKind.ServerUnavailable)]
    public void Token_endpoint_errors_map_to_a_kind(string? error, int status, SignInErrorKind kind) =>
        Assert.Equal(kind, OAuthErrorMessages.ForTokenError(error, status, Words).Kind);

    [Fact]
    public void A_rate_limited_token_request_names_the_limit_and_not_the_base_url()
    {
        var message = OAuthErrorMessages.ForTokenError(null, 429, Words).Message;

        Assert.Contains("HTTP 429 (too many requests)", message, StringComparison.Ordinal);
        Assert.Contains("exempt the portal's address from that rate limit", message, StringComparison.Ordinal);
        Assert.DoesNotContain("base URL", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_endpoint_outage_with_an_error_code_names_the_outage_not_the_application()
    {
        var message = OAuthErrorMessages.ForTokenError("temporarily_unavailable", 503, Words).Message;

        Assert.Contains("(temporarily_unavailable, HTTP 503)", message, StringComparison.Ordinal);
        Assert.Contains("Try again in a moment", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Check the", message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_token_error_code_is_not_repeated_either() =>
        Assert.DoesNotContain("<b>", OAuthErrorMessages.ForTokenError("<b>x</b>", 400, Words).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("access_denied", "access_denied")]
    [InlineData("invalid_client", "invalid_client")]
    [InlineData("timestamp_refused", "timestamp_refused")]
    [InlineData("ACCESS_DENIED", null)]
    [InlineData("access_denied ", null)]
    [InlineData("anything_else", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Only_known_error_codes_are_kept(string? code, string? kept)
    {
        Assert.Equal(kept, OAuthErrorCodes.Known(code));
        Assert.Equal(kept, SignInOutcome.Failure(SignInErrorKind.CallbackInvalid, SignInStep.Authorize, "x", errorCode: code).ErrorCode);
        Assert.Equal(kept, TokenExchange.Failed(SignInErrorKind.CallbackInvalid, SignInStep.Authorize, "x", code).ErrorCode);
    }

    [Theory]
    [InlineData(OAuth1ErrorKind.TimestampRefused, null, SignInErrorKind.ClockSkew)]
    [InlineData(OAuth1ErrorKind.SignatureInvalid, null, SignInErrorKind.IntegrationMisconfigured)]
    [InlineData(OAuth1ErrorKind.ConsumerKeyUnknown, null, SignInErrorKind.IntegrationMisconfigured)]
    [InlineData(OAuth1ErrorKind.UserDeclined, null, SignInErrorKind.UserDeclined)]
    [InlineData(OAuth1ErrorKind.PermissionDenied, null, SignInErrorKind.AccessNotGranted)]
    [InlineData(OAuth1ErrorKind.TokenRejected, null, SignInErrorKind.CodeRejected)]
    [InlineData(OAuth1ErrorKind.TokenExpired, null, SignInErrorKind.CodeRejected)]
    [InlineData(OAuth1ErrorKind.NonceUsed, null, SignInErrorKind.IntegrationMisconfigured)]
    [InlineData(OAuth1ErrorKind.CallbackInvalid, null, SignInErrorKind.CallbackInvalid)]
    [InlineData(OAuth1ErrorKind.NetworkFailure, null, SignInErrorKind.ServerUnreachable)]
    [InlineData(OAuth1ErrorKind.UnexpectedResponse, 503, SignInErrorKind.ServerUnavailable)]
    [InlineData(OAuth1ErrorKind.UnexpectedResponse, 404, SignInErrorKind.IntegrationMisconfigured)]
    public void OAuth1_failures_map_to_a_kind(OAuth1ErrorKind oauth1, int? status, SignInErrorKind kind) =>
        Assert.Equal(kind, OAuth1SignInProtocol.KindOf(new OAuth1Error(oauth1, "detail") { StatusCode = status }));

    [Theory]
    [InlineData(OAuth1ErrorKind.TokenRejected, SignInStep.Authorize)]
    [InlineData(OAuth1ErrorKind.TokenExpired, SignInStep.Authorize)]
    [InlineData(OAuth1ErrorKind.TokenRejected, SignInStep.Identity)]
    [InlineData(OAuth1ErrorKind.NonceUsed, SignInStep.Token)]
    public void A_rejected_token_is_the_sign_in_s_own_only_at_the_access_token_step(OAuth1ErrorKind oauth1, SignInStep step) =>
        Assert.Equal(SignInErrorKind.IntegrationMisconfigured, OAuth1SignInProtocol.KindOf(new OAuth1Error(oauth1, "detail"), step));

    [Fact]
    public void An_OAuth1_server_error_keeps_its_status_for_administrators_only()
    {
        var error = OAuth1Errors.UnexpectedStatus(new Uri("https://bitbucket.example.com:8443/plugins/servlet/oauth/request-token"), HttpStatusCode.BadGateway);
        var outcome = SignInOutcome.Failure(OAuth1SignInProtocol.KindOf(error), SignInStep.Authorize, error.Message);

        Assert.Contains("502", outcome.AdministratorMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("502", outcome.PublicMessage, StringComparison.Ordinal);
    }
}
