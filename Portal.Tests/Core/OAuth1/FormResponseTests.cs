using Portal.Core.Platforms.BitbucketServer.OAuth1;

namespace Portal.Tests.Core.OAuth1;

public class FormResponseTests
{
    [Fact]
    public void Rfc5849_temporary_credentials_answer_is_read_as_a_request_token()
    {
        // RFC 5849 section 1.2.
        var form = OAuth1Form.Parse("oauth_token=hh5s93j4hdidpola&oauth_token_secret=hdhd0244k9j7ao03&oauth_callback_confirmed=true");

        var token = OAuth1RequestToken.FromForm(form);

        Assert.Equal(new OAuth1RequestToken("hh5s93j4hdidpola", "hdhd0244k9j7ao03", CallbackConfirmed: true), token);
    }

    [Fact]
    public void Bitbucket_access_token_answer_is_read_with_its_lifetimes_and_session_handle()
    {
        var form = OAuth1Form.Parse(
            "oauth_token=AcCeSs&oauth_token_secret=S%2Bc%3Dr&oauth_expires_in=157680000" +
            "&oauth_session_handle=h4nd1e&oauth_authorization_expires_in=160272000\n");

        var token = OAuth1AccessToken.FromForm(form)!;

        Assert.Equal("AcCeSs", token.Token);
        Assert.Equal("S+c=r", token.TokenSecret);
        Assert.Equal(TimeSpan.FromDays(1825), token.ExpiresIn);
        Assert.Equal("h4nd1e", token.SessionHandle);
        Assert.Equal(TimeSpan.FromDays(1855), token.AuthorizationExpiresIn);
    }

    [Theory]
    [InlineData("9223372036854775807")]
    [InlineData("99999999999999999999999")]
    [InlineData("922337203685")]
    public void Lifetimes_set_to_practically_never_are_kept_at_a_hundred_years(string seconds)
    {
        // An administrator who sets the token ttl to "never" sends a number that TimeSpan, or now + it, cannot hold.
        var token = OAuth1AccessToken.FromForm(OAuth1Form.Parse(
            $"oauth_token=a&oauth_token_secret=s&oauth_expires_in={seconds}&oauth_authorization_expires_in={seconds}"))!;

        Assert.Equal(OAuth1AccessToken.LongestLifetime, token.ExpiresIn);
        Assert.Equal(OAuth1AccessToken.LongestLifetime, token.AuthorizationExpiresIn);
        _ = DateTimeOffset.UtcNow + token.ExpiresIn!.Value;
    }

    [Theory]
    [InlineData("")]
    [InlineData("oauth_token_secret=s")]
    [InlineData("oauth_token=&oauth_token_secret=s")]
    [InlineData("<html><body>Log in</body></html>")]
    public void Answers_without_token_and_secret_are_not_tokens(string body)
    {
        Assert.Null(OAuth1RequestToken.FromForm(OAuth1Form.Parse(body)));
        Assert.Null(OAuth1AccessToken.FromForm(OAuth1Form.Parse(body)));
    }

    [Fact]
    public void Form_keeps_order_and_repeats_decodes_plus_and_gives_the_first_value()
    {
        var form = OAuth1Form.Parse("a=1&&b&a=x+y%21");

        Assert.Equal([new("a", "1"), new("b", ""), new("a", "x y!")], form.Pairs);
        Assert.Equal("1", form["a"]);
        Assert.Null(form["missing"]);
    }

    [Fact]
    public void Token_secrets_do_not_appear_in_ToString()
    {
        Assert.DoesNotContain("hdhd0244k9j7ao03", new OAuth1RequestToken("t", "hdhd0244k9j7ao03", true).ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("pfkkdhi9sl3r4s00",
            new OAuth1AccessToken("nnch734d00sl2jdk", "pfkkdhi9sl3r4s00", null, null, null).ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("nnch734d00sl2jdk",
            new OAuth1AccessToken("nnch734d00sl2jdk", "pfkkdhi9sl3r4s00", null, null, null).ToString(), StringComparison.Ordinal);
    }
}
