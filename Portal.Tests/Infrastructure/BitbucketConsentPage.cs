using Microsoft.Playwright;
using Portal.Tests.Fakes;

namespace Portal.Tests.Infrastructure;

/// <summary>Bitbucket's OAuth 2 consent page (the fake's) in Chromium, as a person uses it.</summary>
public static class BitbucketConsentPage
{
    /// <summary>Waits for the consent page, checks it names <paramref name="user"/> (when given), and clicks <paramref name="choice"/>.</summary>
    public static async Task ChooseOnBitbucketAsync(this IPage page, BitbucketFakeUser? user = null, ConsentChoice choice = ConsentChoice.Allow)
    {
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("would like to access your Bitbucket account");
        if (user is not null)
        {
            await Assertions.Expect(page.Locator("#consent-user")).ToContainTextAsync($"{user.DisplayName} ({user.Name})");
        }
        await page.GetByRole(AriaRole.Button, new() { Name = choice == ConsentChoice.Allow ? "Allow" : "Deny", Exact = true }).ClickAsync();
    }

    /// <summary>Waits for the consent page and clicks Allow.</summary>
    public static Task AllowOnBitbucketAsync(this IPage page, BitbucketFakeUser? user = null) => page.ChooseOnBitbucketAsync(user);
}
