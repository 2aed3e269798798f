using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.Persistence;
using Portal.Core.Setup;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary><c>dotnet run --project Portal -- setup-mode</c>: the way back in when no administrator can sign in.</summary>
public sealed partial class SetupModeCommandTests : IAsyncLifetime
{
    private readonly PortalHost host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task The_command_puts_a_running_portal_back_into_setup_mode_with_a_fresh_link_and_ends_earlier_setup_sessions()
    {
        using var earlier = await host.CreateSetupAdminClientAsync();
        var earlierCookie = string.Join("; ", host.CookiesOf(earlier));
        await using (var db = host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext())
        {
            db.Users.Add(new PortalUser { DisplayName = "Ada Lovelace", IsAdministrator = true });
            await db.SaveChangesAsync();
        }
        Assert.False(await host.Services.GetRequiredService<SetupModeService>().IsActiveAsync());

        var (exitCode, output) = await RunCommandAsync("setup-mode");

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("There was no database there", output, StringComparison.Ordinal);
        Assert.DoesNotContain("is not one the portal reads", output, StringComparison.Ordinal);
        if (!PostgreSqlCluster.ChosenForHostTests)
        {
            Assert.Contains($"Database: the SQLite database {Path.GetFullPath(host.DatabasePath)}.", output, StringComparison.Ordinal);
        }
        var link = SetupLinkPattern().Match(output);
        Assert.True(link.Success, output);
        Assert.StartsWith($"{host.BaseUrl}/setup?token=", link.Value, StringComparison.Ordinal);
        Assert.True(await host.Services.GetRequiredService<SetupModeService>().IsActiveAsync());
        using var replayed = host.CreateHttpClient(new CookieContainer());
        replayed.DefaultRequestHeaders.Add("Cookie", earlierCookie);
        var refused = await replayed.GetAsync(new Uri("/integrations", UriKind.Relative));
        Assert.Equal("/access", refused.Headers.Location?.AbsolutePath);

        using var operator_ = host.CreateHttpClient();
        var opened = await operator_.GetAsync(new Uri(link.Value));
        Assert.Equal("/integrations", opened.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await operator_.GetAsync(new Uri("/integrations", UriKind.Relative))).StatusCode);
        await using var check = host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        Assert.True((await check.Users.SingleAsync()).IsAdministrator);
        Assert.DoesNotContain(link.Value, host.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_command_works_on_a_database_no_portal_has_opened_yet()
    {
        var databasePath = TestPaths.NewDatabasePath();
        if (PostgreSqlCluster.ChosenForHostTests)
        {
            PostgreSqlCluster.Shared.DatabaseFor(databasePath, migrated: false);
        }
        try
        {
            var (exitCode, output) = await RunCommandAsync("setup-mode", databasePath);

            Assert.True(exitCode == 0, output);
            Assert.Matches(SetupLinkPattern(), output);
            if (!PostgreSqlCluster.ChosenForHostTests)
            {
                // Run from the wrong folder, the command would change a new file instead of the portal's: it says so.
                Assert.Contains($"Database: the SQLite database {Path.GetFullPath(databasePath)}.", output, StringComparison.Ordinal);
                Assert.Contains("There was no database there, so this command created a new, empty one.", output, StringComparison.Ordinal);
            }
            await using var db = TestDatabase.ContextFor(databasePath);
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        }
        finally
        {
            TestPaths.DeleteDatabase(databasePath);
        }
    }

    private async Task<(int ExitCode, string Output)> RunCommandAsync(string command, string? databasePath = null)
    {
        host.Start();
        return await PortalProcess.RunUntilExitAsync(databasePath ?? host.DatabasePath, new Dictionary<string, string>
        {
            ["Portal__PublicUrl"] = host.BaseUrl,
            ["DataProtection__CertificatePath"] = host.KeyFilePath,
        }, command);
    }

    [GeneratedRegex(@"https?://\S+/setup\?token=[A-Za-z0-9_\-%]+")]
    private static partial Regex SetupLinkPattern();
}
