using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Portal.Core.Platforms.BitbucketServer.OAuth1;

namespace Portal.Tests.Core.OAuth1;

public class ProblemMappingTests
{
    private static readonly DateTimeOffset PortalClock = DateTimeOffset.Parse("2026-11-28T12:00:00Z");

    private static OAuth1Error Map(string wwwAuthenticate, DateTimeOffset? serverDate = null) =>
        OAuth1Errors.FromProblem(OAuth1Problem.Read([wwwAuthenticate], null)!, "portal-0123456789abcdef", PortalClock, serverDate, 401);

    [Fact]
    public void Timestamp_refused_shows_both_clocks_from_the_date_header_and_their_difference()
    {
        var error = Map("OAuth realm=\"https%3A%2F%2Fbitbucket.example.com\", oauth_problem=\"timestamp_refused\"",
            DateTimeOffset.Parse("2026-11-28T12:07:30Z"));

        Assert.Equal(OAuth1ErrorKind.TimestampRefused, error.Kind);
        Assert.Contains("Portal clock: 2026-11-28 12:00:00 UTC", error.Message, StringComparison.Ordinal);
        Assert.Contains("Bitbucket clock: 2026-11-28 12:07:30 UTC (from its Date header)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Difference: 7 min 30 s (Bitbucket's clock is ahead)", error.Message, StringComparison.Ordinal);
        Assert.Contains("NTP", error.Message, StringComparison.Ordinal);
        Assert.Equal(PortalClock, error.PortalClock);
        Assert.Equal(DateTimeOffset.Parse("2026-11-28T12:07:30Z"), error.ServerClock);
        Assert.Equal("timestamp_refused", error.Problem);
        Assert.Equal(401, error.StatusCode);
    }

    [Fact]
    public void Timestamp_refused_without_date_header_reads_the_server_clock_from_the_acceptable_timestamps()
    {
        var serverNow = DateTimeOffset.Parse("2026-11-28T10:00:00Z").ToUnixTimeSeconds();
        var problem = OAuth1Problem.Read(null,
            $"oauth_problem=timestamp_refused&oauth_acceptable_timestamps={serverNow - 300}-{serverNow + 300}")!;

        var error = OAuth1Errors.FromProblem(problem, "portal-0123456789abcdef", PortalClock, serverDate: null);

        Assert.Contains("Bitbucket clock: 2026-11-28 10:00:00 UTC (from the timestamps it accepts)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Difference: 2 h (the portal's clock is ahead)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Timestamp_refused_prefers_the_acceptable_timestamps_to_a_Date_header_a_proxy_may_have_set_and_says_so_when_they_disagree()
    {
        var serverNow = DateTimeOffset.Parse("2026-11-28T12:10:00Z").ToUnixTimeSeconds();
        var problem = OAuth1Problem.Read(null,
            $"oauth_problem=timestamp_refused&oauth_acceptable_timestamps={serverNow - 300}-{serverNow + 300}")!;

        // nginx in front of Bitbucket answers with its own Date, which agrees with the portal's clock.
        var error = OAuth1Errors.FromProblem(problem, "portal-0123456789abcdef", PortalClock, serverDate: PortalClock);

        Assert.Contains("Bitbucket clock: 2026-11-28 12:10:00 UTC (from the timestamps it accepts)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Difference: 10 min (Bitbucket's clock is ahead)", error.Message, StringComparison.Ordinal);
        Assert.Contains("The answer's Date header says 2026-11-28 12:00:00 UTC: a proxy in front of Bitbucket sets its own, so check the clock of Bitbucket's own server.", error.Message, StringComparison.Ordinal);
        Assert.Equal(DateTimeOffset.Parse("2026-11-28T12:10:00Z"), error.ServerClock);
    }

    [Fact]
    public void Timestamp_refused_gives_the_difference_between_the_clocks_as_shown_to_the_second()
    {
        var error = OAuth1Errors.FromProblem(OAuth1Problem.Read(null, "oauth_problem=timestamp_refused")!, "portal-0123456789abcdef",
            PortalClock.AddMilliseconds(700), DateTimeOffset.Parse("2026-11-28T12:10:00Z"));

        Assert.Contains("Portal clock: 2026-11-28 12:00:00 UTC", error.Message, StringComparison.Ordinal);
        Assert.Contains("Difference: 10 min (Bitbucket's clock is ahead)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Timestamp_refused_without_any_server_clock_says_it_is_unknown()
    {
        var error = Map("OAuth oauth_problem=\"timestamp_refused\"");

        Assert.Contains("Portal clock: 2026-11-28 12:00:00 UTC", error.Message, StringComparison.Ordinal);
        Assert.Contains("Bitbucket clock: unknown", error.Message, StringComparison.Ordinal);
        Assert.Null(error.ServerClock);
    }

    [Theory]
    [InlineData("signature_invalid", OAuth1ErrorKind.SignatureInvalid, "public key")]
    [InlineData("signature_invalid", OAuth1ErrorKind.SignatureInvalid, "Incoming Authentication")]
    [InlineData("consumer_key_unknown", OAuth1ErrorKind.ConsumerKeyUnknown, "Consumer Key \"portal-0123456789abcdef\"")]
    [InlineData("consumer_key_unknown", OAuth1ErrorKind.ConsumerKeyUnknown, "Incoming Authentication")]
    [InlineData("permission_denied", OAuth1ErrorKind.PermissionDenied, "declined access")]
    [InlineData("permission_unknown", OAuth1ErrorKind.PermissionUnknown, "choose Allow")]
    [InlineData("token_rejected", OAuth1ErrorKind.TokenRejected, "sign in again")]
    [InlineData("token_expired", OAuth1ErrorKind.TokenExpired, "10 minutes")]
    [InlineData("nonce_used", OAuth1ErrorKind.NonceUsed, "retried")]
    [InlineData("signature_method_rejected", OAuth1ErrorKind.SignatureMethodRejected, "only RSA-SHA1")]
    [InlineData("parameter_rejected", OAuth1ErrorKind.ParameterRejected, "public URL")]
    [InlineData("consumer_key_refused", OAuth1ErrorKind.OtherProblem, "oauth_problem=consumer_key_refused")]
    public void Each_bitbucket_problem_maps_to_its_kind_with_cause_and_fix(string problem, OAuth1ErrorKind kind, string phrase)
    {
        var error = Map($"OAuth realm=\"https%3A%2F%2Fbitbucket.example.com\", oauth_problem=\"{problem}\"");

        Assert.Equal(kind, error.Kind);
        Assert.Contains(phrase, error.Message, StringComparison.Ordinal);
        Assert.Contains("Fix:", error.Message, StringComparison.Ordinal);
        Assert.Equal(problem, error.Problem);
    }

    [Fact]
    public void Problem_in_the_body_alone_is_found_and_its_advice_is_quoted()
    {
        var problem = OAuth1Problem.Read(null,
            "oauth_problem=parameter_rejected&oauth_parameters_rejected=oauth_callback&oauth_problem_advice=must+be+absolute");

        var error = OAuth1Errors.FromProblem(problem!, "portal-0123456789abcdef", PortalClock, null);

        Assert.Equal(OAuth1ErrorKind.ParameterRejected, error.Kind);
        Assert.Contains("Bitbucket rejected oauth_callback", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"must be absolute\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_problem_is_read_from_answers_that_do_not_report_one()
    {
        Assert.Null(OAuth1Problem.Read(["Basic realm=\"Bitbucket\""], "<html>Not found</html>"));
        Assert.Null(OAuth1Problem.Read(null, null));
    }

    [Fact]
    public void Denied_verifier_on_the_callback_says_you_declined_access()
    {
        var result = OAuth1Callback.ReadVerifier("req-token", "denied", "req-token");

        Assert.False(result.Succeeded);
        Assert.Equal(OAuth1ErrorKind.UserDeclined, result.Error.Kind);
        Assert.StartsWith("You declined access", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Callback_for_another_request_token_or_without_verifier_is_invalid()
    {
        Assert.Equal(OAuth1ErrorKind.CallbackInvalid, OAuth1Callback.ReadVerifier("other", "v3r1f", "req-token").Error!.Kind);
        Assert.Equal(OAuth1ErrorKind.CallbackInvalid, OAuth1Callback.ReadVerifier(null, "v3r1f", "req-token").Error!.Kind);
        Assert.Equal(OAuth1ErrorKind.CallbackInvalid, OAuth1Callback.ReadVerifier("req-token", null, "req-token").Error!.Kind);
        Assert.Equal("v3r1f", OAuth1Callback.ReadVerifier("req-token", "v3r1f", "req-token").Value);
    }

    public static TheoryData<Exception, string> NetworkFailures => new()
    {
        { new HttpRequestException(HttpRequestError.NameResolutionError, "Name or service not known"), "could not resolve the host name \"bitbucket.example.com\"" },
        { new HttpRequestException("x", new SocketException((int)SocketError.HostNotFound)), "could not resolve the host name" },
        { new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"), "could not connect to bitbucket.example.com:7990" },
        { new HttpRequestException(HttpRequestError.SecureConnectionError, "SSL failed"), "TLS connection to bitbucket.example.com:7990 failed" },
        { new HttpRequestException("x", new AuthenticationException("remote certificate invalid")), "internal CA" },
        { new TaskCanceledException("timeout", new TimeoutException()), "did not answer in time" },
        { new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely."), "response ended prematurely" },
    };

    [Theory]
    [MemberData(nameof(NetworkFailures))]
    public void Network_failures_map_to_a_network_error_naming_cause_and_fix(Exception exception, string phrase)
    {
        var error = OAuth1Errors.FromException(exception, new Uri("http://bitbucket.example.com:7990/plugins/servlet/oauth/request-token"));

        Assert.NotNull(error);
        Assert.Equal(OAuth1ErrorKind.NetworkFailure, error.Kind);
        Assert.Contains(phrase, error.Message, StringComparison.Ordinal);
        Assert.Contains("Fix:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancellation_the_caller_asked_for_and_unrelated_exceptions_are_not_network_errors()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var url = new Uri("https://bitbucket.example.com/");

        Assert.Null(OAuth1Errors.FromException(new OperationCanceledException(cancelled.Token), url, cancelled.Token));
        Assert.Null(OAuth1Errors.FromException(new InvalidOperationException(), url));
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound, "context path")]
    [InlineData(HttpStatusCode.InternalServerError, "atlassian-bitbucket.log")]
    [InlineData(HttpStatusCode.Unauthorized, "Enable OAuth whitelist")]
    public void Statuses_without_a_problem_report_are_explained(HttpStatusCode status, string phrase)
    {
        var error = OAuth1Errors.UnexpectedStatus(new Uri("https://bitbucket.example.com/plugins/servlet/oauth/request-token"), status);

        Assert.Equal(OAuth1ErrorKind.UnexpectedResponse, error.Kind);
        Assert.Contains($"Bitbucket answered {(int)status}", error.Message, StringComparison.Ordinal);
        Assert.Contains(phrase, error.Message, StringComparison.Ordinal);
    }
}
