using System.Text.RegularExpressions;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;
using Portal.Core.Platforms;
using Portal.Core.Platforms.BitbucketServer;

namespace Portal.Core.Integrations;

/// <summary>
/// The rules for a new integration. The wizard runs them as the admin types and the service runs them again before
/// saving. Rules with <see cref="Severity.Warning"/> are hints that do not block creation.
/// </summary>
public sealed partial class IntegrationValidator : AbstractValidator<NewIntegration>
{
    public const int MaxNameLength = 80;

    public IntegrationValidator(IDbContextFactory<PortalDbContext> dbFactory)
    {
        RuleFor(i => i.Name)
            .Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("Enter a name. Users see it on the sign-in button, e.g. \"Sign in with Acme Bitbucket\".")
            .MaximumLength(MaxNameLength).WithMessage($"Keep the name to {MaxNameLength} characters or fewer.")
            // Users choose a sign-in button by its name: hidden or reordering characters could make one look like another.
            .Must(n => InvisibleCharacters.FindFirst(n) is null)
                .WithMessage(i => $"The name contains an invisible or direction-changing character ({InvisibleCharacters.Describe(InvisibleCharacters.FindFirst(i.Name) ?? 0)}): remove it, best by typing the name again instead of pasting it. Such characters can make the \"Sign in with …\" button read differently from the name you see here.")
            .MustAsync(async (i, name, ct) =>
            {
                // The Name column compares case-insensitively (NOCASE), so "Acme" and "acme" collide.
                await using var db = await dbFactory.CreateDbContextAsync(ct);
                return !await db.Integrations.AnyAsync(x => x.Name == name.Trim() && x.Id != i.Id, ct);
            })
                .WithMessage(i => $"An integration named \"{i.Name.Trim()}\" already exists. Choose another name.");

        RuleFor(i => i.Platform)
            .Must(p => PlatformRegistry.Find(p) is not null).WithMessage("Choose the platform: Bitbucket Data Center / Server.");

        RuleFor(i => i.BaseUrl).Custom((url, context) =>
        {
            var normalized = BaseUrlNormalizer.Normalize(url);
            if (!normalized.IsValid)
            {
                context.AddFailure(nameof(NewIntegration.BaseUrl), normalized.Error);
            }
        });

        RuleFor(i => i.ServerVersion)
            .Must(v => BitbucketVersion.TryParse(v, out _))
            .WithMessage("The portal has not found Bitbucket at this base URL yet. Run the check (\"Check again\") and fix what it reports.");

        RuleFor(i => i).Custom((i, context) =>
        {
            if (i.OAuthVersion == OAuthVersion.OAuth2 && BitbucketVersion.TryParse(i.ServerVersion, out var version) && BitbucketOAuthRules.Assess(version).OAuthVersion == OAuthVersion.OAuth1)
            {
                context.AddFailure(nameof(NewIntegration.OAuthVersion),
                    $"Bitbucket {version} is older than {BitbucketOAuthRules.MinimumOAuth2Version}: OAuth 2 application links need Bitbucket {BitbucketOAuthRules.MinimumOAuth2Version} or later, so this server needs OAuth 1.");
            }
        });

        RuleFor(i => i.OAuth1).NotNull().When(i => i.OAuthVersion == OAuthVersion.OAuth1)
            .WithMessage("The OAuth 1 keys are missing. Choose \"Start over\" to generate them again.");
        RuleFor(i => i.OAuth1!.ConsumerKey).MustAsync(async (i, key, ct) =>
            {
                await using var db = await dbFactory.CreateDbContextAsync(ct);
                return !await db.Integrations.AnyAsync(x => x.ConsumerKey == key && x.Id != i.Id, ct);
            })
            .When(i => i.OAuthVersion == OAuthVersion.OAuth1 && i.OAuth1 is not null)
            .WithMessage("Another integration already uses this Consumer Key. Choose \"Start over\" to generate a new one.");

        When(i => i.OAuthVersion == OAuthVersion.OAuth2, () =>
        {
            RuleFor(i => i.ClientId)
                .Must(v => !string.IsNullOrWhiteSpace(v)).WithMessage("Paste the Client ID Bitbucket showed after you saved the application link.")
                .Must(v => !HasWhitespace(v)).WithMessage("The Client ID contains spaces or line breaks: copy it again from Bitbucket, without anything around it.")
                .MaximumLength(256).WithMessage("That Client ID is too long: copy it again from Bitbucket.");
            RuleFor(i => i.ClientId)
                .Must(v => HexOfLength(v, 32)).WithSeverity(Severity.Warning)
                .When(i => !string.IsNullOrWhiteSpace(i.ClientId) && !HasWhitespace(i.ClientId))
                .WithMessage("Bitbucket's Client IDs are 32 hexadecimal characters; this one is not. Check that you copied the Client ID, not the link's name.");

            RuleFor(i => i.ClientSecret)
                .Must(v => !string.IsNullOrWhiteSpace(v)).WithMessage("Paste the Client Secret Bitbucket showed after you saved the application link.")
                .Must(v => !HasWhitespace(v)).WithMessage("The Client Secret contains spaces or line breaks: copy it again from Bitbucket, without anything around it.")
                .MaximumLength(512).WithMessage("That Client Secret is too long: copy it again from Bitbucket.");
            RuleFor(i => i.ClientSecret)
                .Must(v => HexOfLength(v, 64)).WithSeverity(Severity.Warning)
                .When(i => !string.IsNullOrWhiteSpace(i.ClientSecret) && !HasWhitespace(i.ClientSecret))
                .WithMessage("Bitbucket's Client Secrets are 64 hexadecimal characters; this one is not. Check that you copied the whole secret.");
        });
    }

    /// <summary>Values are trimmed before validation; whitespace left inside is a copy-and-paste mistake.</summary>
    public static string Clean(string? value) => (value ?? "").Trim();

    private static bool HasWhitespace(string? value) => Clean(value).Any(char.IsWhiteSpace);

    private static bool HexOfLength(string? value, int length) => Clean(value) is var v && v.Length == length && HexPattern().IsMatch(v);

    [GeneratedRegex("^[0-9a-fA-F]+$")]
    private static partial Regex HexPattern();
}
