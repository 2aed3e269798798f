using System.Data.Common;
using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Authorization;
using Portal.Core.Sessions;
using Portal.Tests.Infrastructure;
using Portal.Web;

namespace Portal.Tests.Web;

/// <summary>An open page's periodic access check: a database that cannot be read for a moment does not sign the page out.</summary>
public sealed class PortalAuthenticationStateProviderTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();
    private readonly UnreadableDatabase unreadable = new();
    private ServiceProvider services = null!;

    public Task InitializeAsync()
    {
        var collection = new ServiceCollection();
        database.Register(collection, interceptors: unreadable);
        services = collection.AddTestAuthorization().BuildServiceProvider();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        database.Dispose();
    }

    [Fact]
    public async Task A_database_failure_during_the_check_keeps_the_page_as_it_is_and_the_next_check_sees_the_change()
    {
        var (_, ada) = await services.PersonAsync("Ada", isAdministrator: true);
        using var provider = new PortalAuthenticationStateProvider(services.GetRequiredService<ILoggerFactory>(), services.GetRequiredService<AdministratorGate>(),
            Options.Create(new PortalSessionOptions()));
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(PortalClaims.Session, ada.SessionId!.Value.ToString())], "test"));
        provider.SetAuthenticationState(Task.FromResult(new AuthenticationState(user)));
        var published = 0;
        provider.AuthenticationStateChanged += _ => published++;
        await provider.RevalidateNowAsync();

        unreadable.Failing = true;
        await provider.RevalidateNowAsync();
        unreadable.Failing = false;

        Assert.Equal(0, published);
        Assert.Same(user, (await provider.GetAuthenticationStateAsync()).User);

        await services.GetRequiredService<SessionService>().EndAsync(ada.SessionId.Value, SessionEndReason.SignedOut);
        await provider.RevalidateNowAsync();

        Assert.Equal(1, published);
    }

    /// <summary>While <see cref="Failing"/> is set, opening a connection fails as a disk error would.</summary>
    private sealed class UnreadableDatabase : DbConnectionInterceptor
    {
        public bool Failing { get; set; }

        public override ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result,
            CancellationToken cancellationToken = default) =>
            Failing ? throw new SqliteException("disk I/O error", 10) : ValueTask.FromResult(result);
    }
}
