using Microsoft.EntityFrameworkCore;
using Portal.Core.Accounts;
using Portal.Core.Audit;
using Portal.Core.Setup;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core;

public sealed class SetupModeServiceTests : IDisposable
{
    private readonly TestDatabase database = new();

    private SetupModeService NewService() => new(database.Factory, TimeProvider.System, new AuditLog(TimeProvider.System));

    [Fact]
    public async Task A_fresh_database_is_in_setup_mode()
    {
        Assert.True(await NewService().IsActiveAsync());
    }

    [Fact]
    public async Task A_token_is_accepted_once()
    {
        var token = await NewService().IssueTokenAsync();

        Assert.Equal(SetupLinkOutcome.Accepted, (await NewService().RedeemAsync(token)).Outcome);
        Assert.Equal(SetupLinkOutcome.AlreadyUsed, (await NewService().RedeemAsync(token)).Outcome);
    }

    [Fact]
    public async Task A_token_opens_only_within_its_lifetime()
    {
        var clock = new ShiftableTimeProvider();
        var service = new SetupModeService(database.Factory, clock, new AuditLog(clock),
            Microsoft.Extensions.Options.Options.Create(new Portal.Core.Configuration.SetupOptions { LinkLifetime = TimeSpan.FromHours(1) }));
        var late = await service.IssueTokenAsync();
        clock.Advance(TimeSpan.FromMinutes(61));

        Assert.Equal(SetupLinkOutcome.Expired, (await service.RedeemAsync(late)).Outcome);
        var fresh = await service.IssueTokenAsync(); // what a restart does
        clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(SetupLinkOutcome.Accepted, (await service.RedeemAsync(fresh)).Outcome);
    }

    [Fact]
    public async Task Only_a_hash_of_the_token_is_stored()
    {
        var token = await NewService().IssueTokenAsync();

        await using var db = database.CreateContext();
        var stored = await db.SetupTokens.SingleAsync();
        Assert.NotEqual(token, stored.TokenHash);
        Assert.DoesNotContain(token!, stored.TokenHash, StringComparison.Ordinal);
        Assert.Equal(64, stored.TokenHash.Length);
    }

    [Fact]
    public async Task The_token_has_128_bits_of_randomness()
    {
        var tokens = new HashSet<string>();
        for (var i = 0; i < 20; i++)
        {
            tokens.Add((await NewService().IssueTokenAsync())!);
        }

        Assert.Equal(20, tokens.Count);
        Assert.All(tokens, t => Assert.Equal(22, t.Length)); // 16 bytes in unpadded base64url
    }

    [Fact]
    public async Task Issuing_a_new_token_invalidates_the_previous_one()
    {
        var first = await NewService().IssueTokenAsync();
        var second = await NewService().IssueTokenAsync();

        Assert.Equal(SetupLinkOutcome.Unknown, (await NewService().RedeemAsync(first)).Outcome);
        Assert.Equal(SetupLinkOutcome.Accepted, (await NewService().RedeemAsync(second)).Outcome);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-the-token")]
    public async Task A_wrong_token_is_unknown(string? wrong)
    {
        await NewService().IssueTokenAsync();

        Assert.Equal(SetupLinkOutcome.Unknown, (await NewService().RedeemAsync(wrong)).Outcome);
    }

    [Fact]
    public async Task Of_racing_redemptions_exactly_one_is_accepted()
    {
        var token = await NewService().IssueTokenAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(async () => (await NewService().RedeemAsync(token)).Outcome)));

        Assert.Single(outcomes, o => o == SetupLinkOutcome.Accepted);
        Assert.All(outcomes.Where(o => o != SetupLinkOutcome.Accepted), o => Assert.Equal(SetupLinkOutcome.AlreadyUsed, o));
    }

    [Fact]
    public async Task Setup_mode_ends_when_an_administrator_exists()
    {
        var token = await NewService().IssueTokenAsync();
        await using (var db = database.CreateContext())
        {
            db.Users.Add(new PortalUser { DisplayName = "Ada", IsAdministrator = true });
            await db.SaveChangesAsync();
        }

        Assert.False(await NewService().IsActiveAsync());
        Assert.Null(await NewService().IssueTokenAsync());
        Assert.Equal(SetupLinkOutcome.SetupModeOver, (await NewService().RedeemAsync(token)).Outcome);
    }

    [Fact]
    public async Task Of_racing_first_sign_ins_with_setup_sessions_exactly_one_becomes_administrator()
    {
        var people = new List<Guid>();
        await using (var db = database.CreateContext())
        {
            for (var i = 0; i < 10; i++)
            {
                var user = new PortalUser { DisplayName = $"Person {i}" };
                db.Users.Add(user);
                people.Add(user.Id);
            }
            await db.SaveChangesAsync();
        }

        var ends = await Task.WhenAll(people.Select(id => Task.Run(() => NewService().EndWithAdministratorAsync(id))));

        Assert.Single(ends, e => e is { Ended: true, BecameAdministrator: true });
        await using var check = database.CreateContext();
        Assert.Equal(1, await check.Users.CountAsync(u => u.IsAdministrator));
        Assert.False(await NewService().IsActiveAsync());
    }

    [Fact]
    public async Task Reentering_setup_mode_keeps_administrators_and_the_next_setup_sign_in_ends_it()
    {
        Guid ada, grace;
        await using (var db = database.CreateContext())
        {
            var adaUser = new PortalUser { DisplayName = "Ada", IsAdministrator = true };
            var graceUser = new PortalUser { DisplayName = "Grace" };
            db.Users.AddRange(adaUser, graceUser);
            await db.SaveChangesAsync();
            (ada, grace) = (adaUser.Id, graceUser.Id);
        }
        Assert.False(await NewService().IsActiveAsync());

        var token = await NewService().ReenterAsync();

        Assert.True(await NewService().IsActiveAsync());
        Assert.Equal(SetupLinkOutcome.Accepted, (await NewService().RedeemAsync(token)).Outcome);
        var end = await NewService().EndWithAdministratorAsync(grace);
        Assert.Equal(new SetupModeEnd(Ended: true, BecameAdministrator: true, AfterRecovery: true), end);
        Assert.False(await NewService().IsActiveAsync());
        Assert.Equal(new SetupModeEnd(false, false), await NewService().EndWithAdministratorAsync(ada));
        await using var check = database.CreateContext();
        Assert.Equal(2, await check.Users.CountAsync(u => u.IsAdministrator));
        Assert.Empty(await check.SetupTokens.ToListAsync());
    }

    [Fact]
    public async Task The_setup_mode_command_before_any_administrator_exists_leaves_the_first_setup_as_it_is()
    {
        await NewService().IssueTokenAsync();

        var token = await NewService().ReenterAsync();

        // A new link, but no recovery: the banner still says no administrator exists, and the first sign-in makes the first one.
        Assert.Equal(SetupModeReason.NoAdministrator, await NewService().ReasonAsync());
        Assert.Equal(SetupLinkOutcome.Accepted, (await NewService().RedeemAsync(token)).Outcome);
        Guid grace;
        await using (var db = database.CreateContext())
        {
            var graceUser = new PortalUser { DisplayName = "Grace" };
            db.Users.Add(graceUser);
            await db.SaveChangesAsync();
            grace = graceUser.Id;
        }
        Assert.Equal(new SetupModeEnd(Ended: true, BecameAdministrator: true, AfterRecovery: false), await NewService().EndWithAdministratorAsync(grace));
    }

    public void Dispose() => database.Dispose();
}
