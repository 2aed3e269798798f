using Microsoft.EntityFrameworkCore;
using Portal.Core.Accounts;
using Portal.Core.Setup;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core;

public sealed class SetupModeServiceTests : IDisposable
{
    private readonly TestDatabase database = new();

    private SetupModeService NewService() => new(database.Factory, TimeProvider.System);

    [Fact]
    public async Task A_fresh_database_is_in_setup_mode()
    {
        Assert.True(await NewService().IsActiveAsync());
    }

    [Fact]
    public async Task A_token_is_accepted_once()
    {
        var token = await NewService().IssueTokenAsync();

        Assert.Equal(SetupLinkOutcome.Accepted, await NewService().RedeemAsync(token));
        Assert.Equal(SetupLinkOutcome.AlreadyUsed, await NewService().RedeemAsync(token));
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

        Assert.Equal(SetupLinkOutcome.Unknown, await NewService().RedeemAsync(first));
        Assert.Equal(SetupLinkOutcome.Accepted, await NewService().RedeemAsync(second));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-the-token")]
    public async Task A_wrong_token_is_unknown(string? wrong)
    {
        await NewService().IssueTokenAsync();

        Assert.Equal(SetupLinkOutcome.Unknown, await NewService().RedeemAsync(wrong));
    }

    [Fact]
    public async Task Of_racing_redemptions_exactly_one_is_accepted()
    {
        var token = await NewService().IssueTokenAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => NewService().RedeemAsync(token))));

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
        Assert.Equal(SetupLinkOutcome.SetupModeOver, await NewService().RedeemAsync(token));
    }

    public void Dispose() => database.Dispose();
}
