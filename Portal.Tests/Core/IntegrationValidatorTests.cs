using Microsoft.EntityFrameworkCore;
using Portal.Core.Platforms.BitbucketServer;
using FluentValidation;
using Portal.Core.Integrations;
using Portal.Core.Platforms.BitbucketServer.OAuth1;
using Portal.Core.Platforms;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core;

public sealed class IntegrationValidatorTests : IDisposable
{
    private const string ClientId = "0123456789abcdef0123456789abcdef";
    private const string ClientSecret = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
    private readonly TestDatabase database = new();

    private static NewIntegration Valid() => new(Guid.NewGuid(), "Acme Bitbucket", BitbucketServerPlatform.KindOf.Key,
        "https://bitbucket.example.com", "8.9.1", OAuthVersion.OAuth2, ClientId, ClientSecret);

    private async Task<List<(string Property, Severity Severity, string Message)>> ValidateAsync(NewIntegration integration) =>
        (await new IntegrationValidator(database.Factory, TestPlatforms.BitbucketOnly()).ValidateAsync(integration)).Errors
            .Select(e => (e.PropertyName, e.Severity, e.ErrorMessage)).ToList();

    private static void AssertError(List<(string Property, Severity Severity, string Message)> failures, string property, string text) =>
        Assert.Contains(failures, f => f.Property == property && f.Severity == Severity.Error && f.Message.Contains(text, StringComparison.Ordinal));

    [Fact]
    public async Task A_complete_integration_has_no_failures()
    {
        Assert.Empty(await ValidateAsync(Valid()));
    }

    [Theory]
    [InlineData("", "Enter a name")]
    [InlineData("   ", "Enter a name")]
    public async Task The_name_is_required(string name, string message)
    {
        AssertError(await ValidateAsync(Valid() with { Name = name }), nameof(NewIntegration.Name), message);
    }

    [Fact]
    public async Task The_name_is_at_most_80_characters()
    {
        AssertError(await ValidateAsync(Valid() with { Name = new string('a', 81) }), nameof(NewIntegration.Name), "80 characters");
    }

    [Theory]
    [InlineData("Acme\u202EtekcubtiB", "U+202E, right-to-left override")]
    [InlineData("Acme\u202DBitbucket", "U+202D, left-to-right override")]
    [InlineData("Acme\u202ABitbucket", "U+202A, left-to-right embedding")]
    [InlineData("Acme\u2066Bitbucket\u2069", "U+2066, left-to-right isolate")]
    [InlineData("Acme\u2067Bitbucket", "U+2067, right-to-left isolate")]
    [InlineData("Acme\u200EBitbucket", "U+200E, left-to-right mark")]
    [InlineData("Acme\u200FBitbucket", "U+200F, right-to-left mark")]
    [InlineData("Acme\u061CBitbucket", "U+061C, Arabic letter mark")]
    [InlineData("Acme\u200BBitbucket", "U+200B, zero width space")]
    [InlineData("Acme\u200CBitbucket", "U+200C, zero width non-joiner")]
    [InlineData("Acme\u200DBitbucket", "U+200D, zero width joiner")]
    [InlineData("Acme\u2060Bitbucket", "U+2060, word joiner")]
    [InlineData("\uFEFFAcme Bitbucket", "U+FEFF, zero width no-break space")]
    [InlineData("Acme\tBitbucket", "U+0009, tab")]
    [InlineData("Acme\nBitbucket", "U+000A, line feed")]
    [InlineData("Acme\u0000Bitbucket", "U+0000")]
    [InlineData("Acme\u007FBitbucket", "U+007F")]
    [InlineData("Acme\u0085Bitbucket", "U+0085")]
    [InlineData("Acme\u2028Bitbucket", "U+2028, line separator")]
    [InlineData("Acme\u2029Bitbucket", "U+2029, paragraph separator")]
    [InlineData("Acme\u00ADBitbucket", "U+00AD")]
    [InlineData("Acme\uE000Bitbucket", "U+E000")]
    [InlineData("Acme\u0378Bitbucket", "U+0378")]
    [InlineData("Acme \u3164", "U+3164, Hangul filler")]
    [InlineData("Acme\u115FBitbucket", "U+115F, Hangul choseong filler")]
    [InlineData("Acme\u1160Bitbucket", "U+1160, Hangul jungseong filler")]
    [InlineData("Acme\uFFA0Bitbucket", "U+FFA0, halfwidth Hangul filler")]
    [InlineData("Acme\u2800Bitbucket", "U+2800, braille pattern blank")]
    [InlineData("Acme\uDB40\uDC41", "U+E0041")]
    public async Task The_name_refuses_invisible_and_direction_changing_characters(string name, string character)
    {
        var failures = await ValidateAsync(Valid() with { Name = name });

        AssertError(failures, nameof(NewIntegration.Name), $"The name contains an invisible or direction-changing character ({character}");
        AssertError(failures, nameof(NewIntegration.Name), "Sign in with");
    }

    [Fact]
    public async Task The_name_refuses_an_unpaired_surrogate()
    {
        // Built at run time: an attribute argument cannot carry an unpaired surrogate.
        var name = "Acme" + (char)0xD800 + "Bitbucket";

        AssertError(await ValidateAsync(Valid() with { Name = name }), nameof(NewIntegration.Name), "(U+D800)");
    }

    [Theory]
    [InlineData("Acme Bitbucket")]
    [InlineData("Bitbucket (Zürich)")]
    [InlineData("ビットバケット")]
    [InlineData("Bitbucket \u05E2\u05D1\u05E8\u05D9\u05EA")]
    [InlineData("\u0628\u064A\u062A\u0628\u0627\u0643\u062A")]
    [InlineData("Acme\u00A0Bitbucket")]
    [InlineData("Acme 🚀")]
    public async Task Names_in_any_script_without_hidden_characters_are_accepted(string name)
    {
        Assert.Empty(await ValidateAsync(Valid() with { Name = name }));
    }

    [Fact]
    public async Task The_name_is_unique_whatever_its_case_but_an_integration_may_keep_its_own()
    {
        var existing = Valid();
        await using (var db = database.CreateContext())
        {
            db.Integrations.Add(new Integration { Platform = BitbucketServerPlatform.KindOf.Key, Id = existing.Id, Name = existing.Name, BaseUrl = existing.BaseUrl, ClientId = "x", ProtectedClientSecret = "x" });
            await db.SaveChangesAsync();
        }

        AssertError(await ValidateAsync(Valid() with { Name = "ACME bitbucket" }), nameof(NewIntegration.Name), "already exists");
        Assert.Empty(await ValidateAsync(existing));
    }

    [Fact]
    public async Task A_name_that_looks_the_same_with_a_combining_accent_is_the_same_name()
    {
        await using (var db = database.CreateContext())
        {
            // Stored as created: composed ("é" is one character).
            db.Integrations.Add(new Integration { Platform = BitbucketServerPlatform.KindOf.Key, Id = Guid.NewGuid(), Name = IntegrationValidator.CleanName("Caf\u00e9 Git"), BaseUrl = "https://cafe.example.com", ClientId = "x", ProtectedClientSecret = "x" });
            await db.SaveChangesAsync();
        }

        AssertError(await ValidateAsync(Valid() with { Name = "Cafe\u0301 Git" }), nameof(NewIntegration.Name), "already exists");
        Assert.Equal("Caf\u00e9 Git", IntegrationValidator.CleanName(" Cafe\u0301 Git "));
    }

    [Fact]
    public async Task A_database_that_cannot_answer_turns_the_uniqueness_checks_into_warnings_instead_of_failing()
    {
        await using (var db = database.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("""ALTER TABLE "Integrations" RENAME TO "IntegrationsGone" """);
        }
        var pair = OAuth1KeyPair.Generate();
        var oauth1 = Valid() with
        {
            ServerVersion = "7.17.0", OAuthVersion = OAuthVersion.OAuth1, ClientId = "", ClientSecret = "",
            OAuth1 = new OAuth1Keys(OAuth1ConsumerKey.Generate(), pair.PublicKeyPem, pair.PrivateKeyPem),
        };

        var failures = await ValidateAsync(oauth1);

        Assert.All(failures, f => Assert.Equal(Severity.Warning, f.Severity));
        Assert.Contains(failures, f => f.Property == nameof(NewIntegration.Name)
            && f.Message.StartsWith("The portal could not check that no other integration has this name just now. The database", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Property == "OAuth1.ConsumerKey"
            && f.Message.StartsWith("The portal could not check that no other integration uses this Consumer Key just now.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Only_registered_platforms_are_accepted()
    {
        AssertError(await ValidateAsync(Valid() with { Platform = "github" }), nameof(NewIntegration.Platform), "Bitbucket Data Center / Server");
    }

    [Theory]
    [InlineData("", "Enter the base URL")]
    [InlineData("ftp://bitbucket.example.com", "not supported")]
    [InlineData("https://user:pw@bitbucket.example.com", "Credentials must not be in the URL")]
    public async Task The_base_url_must_normalise(string url, string message)
    {
        AssertError(await ValidateAsync(Valid() with { BaseUrl = url }), nameof(NewIntegration.BaseUrl), message);
    }

    [Fact]
    public async Task Creation_needs_a_successful_check()
    {
        AssertError(await ValidateAsync(Valid() with { ServerVersion = null }), nameof(NewIntegration.ServerVersion), "Check again");
    }

    [Fact]
    public async Task Oauth_2_on_7_20_is_accepted_when_chosen()
    {
        var result = await ValidateAsync(Valid() with { ServerVersion = "7.20.3" });

        Assert.DoesNotContain(result, e => e.Property == nameof(NewIntegration.OAuthVersion));
    }

    [Fact]
    public async Task Oauth_2_on_a_server_older_than_7_20_is_refused()
    {
        AssertError(await ValidateAsync(Valid() with { ServerVersion = "7.17.0" }), nameof(NewIntegration.OAuthVersion), "needs OAuth 1");
    }

    [Theory]
    [InlineData("", "Paste the Client ID")]
    [InlineData("0123 4567", "contains spaces or line breaks")]
    public async Task The_client_id_is_required_without_inner_whitespace(string clientId, string message)
    {
        AssertError(await ValidateAsync(Valid() with { ClientId = clientId }), nameof(NewIntegration.ClientId), message);
    }

    [Theory]
    [InlineData("", "Paste the Client Secret")]
    [InlineData("abc\ndef", "contains spaces or line breaks")]
    public async Task The_client_secret_is_required_without_inner_whitespace(string secret, string message)
    {
        AssertError(await ValidateAsync(Valid() with { ClientSecret = secret }), nameof(NewIntegration.ClientSecret), message);
    }

    [Fact]
    public async Task Credentials_unlike_bitbucket_ones_are_warnings_not_errors()
    {
        var failures = await ValidateAsync(Valid() with { ClientId = "my-client", ClientSecret = "short" });

        Assert.All(failures, f => Assert.Equal(Severity.Warning, f.Severity));
        Assert.Contains(failures, f => f.Property == nameof(NewIntegration.ClientId) && f.Message.Contains("32 hexadecimal", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Property == nameof(NewIntegration.ClientSecret) && f.Message.Contains("64 hexadecimal", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Oauth_1_needs_its_keys_and_no_client_credentials()
    {
        var oauth1 = Valid() with { ServerVersion = "7.17.0", OAuthVersion = OAuthVersion.OAuth1, ClientId = "", ClientSecret = "" };
        AssertError(await ValidateAsync(oauth1), nameof(NewIntegration.OAuth1), "keys are missing");

        var pair = OAuth1KeyPair.Generate();
        Assert.Empty(await ValidateAsync(oauth1 with { OAuth1 = new OAuth1Keys(OAuth1ConsumerKey.Generate(), pair.PublicKeyPem, pair.PrivateKeyPem) }));
    }

    public void Dispose() => database.Dispose();
}
