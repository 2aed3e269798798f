using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Authorization;
using Portal.Core.Integrations;
using Portal.Core.OAuth;
using Portal.Core.Security;
using Portal.Tests.Fakes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary>
/// Replacing an integration's credentials by verify-then-swap, on a real portal against the Bitbucket fake: sign-ins keep
/// the current credentials while new ones are pending, a failed verification leaves them in place, a successful one swaps.
/// </summary>
public sealed class CredentialReplacementHostTests
{
    private static readonly string WatchId = VerificationNotifier.NewWatchId();

    [Fact]
    public async Task Sign_ins_keep_using_the_current_secret_while_a_new_one_is_pending()
    {
        await using var scenario = await SignInScenario.StartAsync();
        var pending = BitbucketOAuthClient.RandomHex(32);
        Assert.True((await StartSecretAsync(scenario, pending)).Started);

        using var person = scenario.NewBrowser();
        var attempt = await scenario.SignInAsync(person);

        Assert.Equal(HttpStatusCode.Redirect, attempt.Response.StatusCode);
        Assert.Single(await scenario.UsersAsync());
        Assert.Equal(scenario.Registration.ClientSecret, scenario.Bitbucket.TokenExchanges[^1].ClientSecret);
        Assert.Equal(scenario.Registration.ClientSecret, await StoredSecretAsync(scenario));
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_failed_verification_names_the_step_and_leaves_the_current_secret_in_place()
    {
        await using var scenario = await SignInScenario.StartAsync();
        var wrong = BitbucketOAuthClient.RandomHex(32);
        await StartSecretAsync(scenario, wrong);
        using var admin = await scenario.NewSetupBrowserAsync();

        var message = await scenario.VerifyNewCredentialsAsync(admin, WatchId);

        Assert.StartsWith($"Verifying the new Client Secret of \"{SignInScenario.IntegrationName}\" failed at the token step:", message, StringComparison.Ordinal);
        Assert.Contains("The current Client Secret stays in use", message, StringComparison.Ordinal);
        Assert.Equal(wrong, scenario.Bitbucket.TokenExchanges[^1].ClientSecret);
        Assert.Equal(scenario.Registration.ClientSecret, await StoredSecretAsync(scenario));
        var replacement = Assert.Single(await scenario.QueryAsync(db => db.CredentialReplacements.AsNoTracking().ToListAsync()));
        Assert.StartsWith("The token step failed:", replacement.LastFailure, StringComparison.Ordinal);
        // A new secret that fails says nothing about the current one: the status page hears nothing of it.
        Assert.Empty(await scenario.SignInEventsAsync());
        var audit = await AuditAsync(scenario);
        Assert.Equal([AuditKind.SecretReplacementStarted, AuditKind.SecretReplacementFailed],
            audit.Where(e => e.Kind is AuditKind.SecretReplacementStarted or AuditKind.SecretReplacementFailed or AuditKind.SecretReplacementCompleted).Select(e => e.Kind));
        var failed = audit.Single(e => e.Kind == AuditKind.SecretReplacementFailed);
        Assert.Equal(AuditLog.SetupSessionName, failed.ActorName);
        Assert.Contains("The token step failed", failed.Details, StringComparison.Ordinal);
        Assert.DoesNotContain(audit, e => (e.Details ?? "").Contains(wrong, StringComparison.Ordinal));

        using var person = scenario.NewBrowser();
        await scenario.SignInAsync(person);
        Assert.Single(await scenario.UsersAsync());
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_successful_verification_swaps_the_new_secret_in_and_discards_the_old_one()
    {
        await using var scenario = await SignInScenario.StartAsync();
        var reset = scenario.Bitbucket.ResetClientSecret(scenario.Registration.ClientId);
        await StartSecretAsync(scenario, reset.ClientSecret);
        using var admin = await scenario.NewSetupBrowserAsync();

        var message = await scenario.VerifyNewCredentialsAsync(admin, WatchId);

        Assert.Equal($"The new Client Secret of \"{SignInScenario.IntegrationName}\" works: Bitbucket identified you as Ada Lovelace (user name ada, id 101). It is now in use and the old one is discarded.", message);
        Assert.Equal(reset.ClientSecret, await StoredSecretAsync(scenario));
        Assert.Empty(await scenario.QueryAsync(db => db.CredentialReplacements.AsNoTracking().ToListAsync()));
        var integration = await scenario.QueryAsync(db => db.Integrations.AsNoTracking().SingleAsync());
        Assert.Equal(IntegrationVerification.Verified, integration.Verification);
        var audit = await AuditAsync(scenario);
        var completed = Assert.Single(audit, e => e.Kind == AuditKind.SecretReplacementCompleted);
        Assert.Equal((AuditLog.SetupSessionName, SignInScenario.IntegrationName), (completed.ActorName, completed.IntegrationName));
        Assert.Contains("signed in as Ada Lovelace", completed.Details, StringComparison.Ordinal);
        Assert.Single(audit, e => e.Kind == AuditKind.SecretReplacementStarted);
        Assert.DoesNotContain(audit, e => (e.Details ?? "").Contains(reset.ClientSecret, StringComparison.Ordinal));

        using var person = scenario.NewBrowser();
        await scenario.SignInAsync(person);
        Assert.Single(await scenario.UsersAsync());
        Assert.Equal(reset.ClientSecret, scenario.Bitbucket.TokenExchanges[^1].ClientSecret);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task A_verification_whose_new_secret_was_discarded_meanwhile_swaps_nothing()
    {
        await using var scenario = await SignInScenario.StartAsync();
        await StartSecretAsync(scenario, BitbucketOAuthClient.RandomHex(32));
        using var admin = await scenario.NewSetupBrowserAsync();
        var start = await scenario.RequestVerifyNewCredentialsAsync(admin, WatchId);
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);

        var discard = await scenario.Host.Services.GetRequiredService<CredentialReplacementService>()
            .DiscardAsync(await scenario.Host.Services.AdministratorAsync(), scenario.IntegrationId);
        Assert.Equal(DiscardOutcome.Discarded, discard.Value);
        var callback = await scenario.AuthorizeToCallbackAsync(start.Headers.Location!);
        var message = await scenario.StatusMessageAfterAsync(admin, await scenario.CallbackAsync(admin, callback));

        Assert.Contains("was discarded or replaced while the server had the browser", message, StringComparison.Ordinal);
        Assert.Equal(scenario.Registration.ClientSecret, await StoredSecretAsync(scenario));
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task Verify_with_the_new_secret_when_none_is_pending_says_what_to_do_first()
    {
        await using var scenario = await SignInScenario.StartAsync();
        using var admin = await scenario.NewSetupBrowserAsync();

        var response = await scenario.RequestVerifyNewCredentialsAsync(admin, WatchId);

        Assert.Equal($"/integrations/{scenario.IntegrationId}/credentials", response.Headers.Location!.OriginalString);
        var message = await scenario.StatusMessageAfterAsync(admin, response);
        Assert.StartsWith($"No new Client Secret is waiting to be verified for \"{SignInScenario.IntegrationName}\"", message, StringComparison.Ordinal);
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task The_secret_in_use_an_empty_one_or_a_person_who_is_not_an_administrator_is_refused()
    {
        await using var scenario = await SignInScenario.StartAsync();
        var service = scenario.Host.Services.GetRequiredService<CredentialReplacementService>();
        var administrator = await scenario.Host.Services.AdministratorAsync();

        var same = await service.StartClientSecretAsync(administrator, scenario.IntegrationId, scenario.Registration.ClientSecret);
        var empty = await service.StartClientSecretAsync(administrator, scenario.IntegrationId, "  ");
        var spaced = await service.StartClientSecretAsync(administrator, scenario.IntegrationId, "abc def");
        var anonymous = await service.StartClientSecretAsync(Actor.Anonymous, scenario.IntegrationId, BitbucketOAuthClient.RandomHex(32));
        var keyPair = await service.StartKeyPairAsync(administrator, scenario.IntegrationId);

        Assert.Contains("the integration uses already", same.Value.Error, StringComparison.Ordinal);
        Assert.StartsWith("Paste the new Client Secret", empty.Value.Error, StringComparison.Ordinal);
        Assert.Contains("spaces or line breaks", spaced.Value.Error, StringComparison.Ordinal);
        Assert.NotNull(anonymous.Refusal);
        Assert.Contains("uses OAuth 2", keyPair.Value.Error, StringComparison.Ordinal);
        Assert.Empty(await scenario.QueryAsync(db => db.CredentialReplacements.AsNoTracking().ToListAsync()));
    }

    [Fact]
    public async Task The_pending_secret_is_stored_encrypted_and_the_page_never_shows_it()
    {
        await using var scenario = await SignInScenario.StartAsync();
        var pending = BitbucketOAuthClient.RandomHex(32);
        var started = await StartSecretAsync(scenario, pending);
        Assert.Null(started.Hint);
        using var admin = await scenario.NewSetupBrowserAsync();

        var page = await admin.Http.GetStringAsync(new Uri($"/integrations/{scenario.IntegrationId}/credentials", UriKind.Relative));

        Assert.Contains("is pending since", page, StringComparison.Ordinal);
        Assert.DoesNotContain(pending, page, StringComparison.Ordinal);
        var stored = Assert.Single(await scenario.QueryAsync(db => db.CredentialReplacements.AsNoTracking().ToListAsync()));
        Assert.DoesNotContain(pending, stored.ProtectedClientSecret, StringComparison.Ordinal);
        Assert.DoesNotContain(pending, scenario.Host.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OAuth1_a_new_key_pair_is_verified_before_it_replaces_the_current_one()
    {
        await using var scenario = await SignInScenario.StartOAuth1Async();
        var keys = scenario.Registration.OAuth1!;
        var service = scenario.Host.Services.GetRequiredService<CredentialReplacementService>();
        Assert.True((await service.StartKeyPairAsync(await scenario.Host.Services.AdministratorAsync(), scenario.IntegrationId)).Value.Started);
        var view = (await service.FindAsync(scenario.IntegrationId))!;
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", view.PendingPublicKeyPem, StringComparison.Ordinal);
        Assert.NotEqual(keys.PublicKeyPem, view.PendingPublicKeyPem);

        // Until Bitbucket has the new public key, people sign in with the current pair...
        using (var person = scenario.NewBrowser())
        {
            await scenario.SignInAsync(person);
            Assert.Single(await scenario.UsersAsync());
        }
        // ...and a verification with the new pair fails when the request token is refused, leaving the current pair.
        using var admin = await scenario.NewSetupBrowserAsync();
        var refused = await scenario.RequestVerifyNewCredentialsAsync(admin, WatchId);
        Assert.Equal($"/integrations/{scenario.IntegrationId}/credentials", refused.Headers.Location!.OriginalString);
        var failure = await scenario.StatusMessageAfterAsync(admin, refused);
        Assert.StartsWith($"Verifying the new key pair of \"{SignInScenario.IntegrationName}\" failed at the authorize step:", failure, StringComparison.Ordinal);
        Assert.Contains("The current key pair stays in use", failure, StringComparison.Ordinal);
        Assert.Equal(keys.PublicKeyPem, await scenario.QueryAsync(db => db.Integrations.AsNoTracking().Select(i => i.PublicKeyPem).SingleAsync()));

        scenario.Bitbucket.ReplaceOAuth1PublicKey(keys.ConsumerKey, view.PendingPublicKeyPem!);
        var message = await scenario.VerifyNewCredentialsAsync(admin, WatchId);

        Assert.StartsWith($"The new key pair of \"{SignInScenario.IntegrationName}\" works", message, StringComparison.Ordinal);
        var integration = await scenario.QueryAsync(db => db.Integrations.AsNoTracking().SingleAsync());
        Assert.Equal(view.PendingPublicKeyPem, integration.PublicKeyPem);
        Assert.Equal(keys.ConsumerKey, integration.ConsumerKey);
        Assert.Empty(await scenario.QueryAsync(db => db.CredentialReplacements.AsNoTracking().ToListAsync()));
        using (var person = scenario.NewBrowser())
        {
            var again = await scenario.SignInAsync(person);
            Assert.Equal(HttpStatusCode.Redirect, again.Response.StatusCode);
            Assert.Null(await scenario.StatusMessageAfterAsync(person, again.Response));
        }
        scenario.AssertNoServerErrors();
    }

    [Fact]
    public async Task New_credentials_that_work_are_not_swapped_in_when_their_verifier_lost_access_meanwhile()
    {
        await using var scenario = await SignInScenario.StartAsync();
        var reset = scenario.Bitbucket.ResetClientSecret(scenario.Registration.ClientId);
        await StartSecretAsync(scenario, reset.ClientSecret);
        using var admin = await scenario.NewSetupBrowserAsync();
        var start = await scenario.RequestVerifyNewCredentialsAsync(admin, WatchId);
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);

        // While Bitbucket has the browser, the setup session that started the verification ends (signed out in another tab).
        await scenario.QueryAsync(db => db.Sessions.ExecuteUpdateAsync(s => s
            .SetProperty(x => x.EndedAt, DateTimeOffset.UtcNow).SetProperty(x => x.EndReason, Portal.Core.Sessions.SessionEndReason.SignedOut)));
        var callback = await scenario.AuthorizeToCallbackAsync(start.Headers.Location!);
        await scenario.CallbackAsync(admin, callback);

        Assert.Equal(scenario.Registration.ClientSecret, await StoredSecretAsync(scenario));
        Assert.Single(await scenario.QueryAsync(db => db.CredentialReplacements.AsNoTracking().ToListAsync()));
        Assert.DoesNotContain(await AuditAsync(scenario), e => e.Kind == AuditKind.SecretReplacementCompleted);
        scenario.AssertNoServerErrors();
    }

    private static Task<List<AuditEntry>> AuditAsync(SignInScenario scenario) =>
        scenario.QueryAsync(db => db.AuditEntries.AsNoTracking().OrderBy(e => e.Id).ToListAsync());

    private static async Task<ReplacementStart> StartSecretAsync(SignInScenario scenario, string secret)
    {
        var result = await scenario.Host.Services.GetRequiredService<CredentialReplacementService>()
            .StartClientSecretAsync(await scenario.Host.Services.AdministratorAsync(), scenario.IntegrationId, secret);
        return result.Value;
    }

    private static Task<string?> StoredSecretAsync(SignInScenario scenario) => scenario.QueryAsync(async db =>
    {
        var stored = await db.Integrations.AsNoTracking().Select(i => i.ProtectedClientSecret).SingleAsync();
        return scenario.Host.Services.GetRequiredService<SecretProtector>().TryUnprotect(SecretPurpose.ClientSecret, stored);
    });
}
