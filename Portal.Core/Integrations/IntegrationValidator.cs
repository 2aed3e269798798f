using FluentValidation;
using FluentValidation.Results;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;
using Portal.Core.Platforms;

namespace Portal.Core.Integrations;

/// <summary>
/// The rules for a new integration. The wizard runs them as the admin types and the service runs them again before
/// saving. Rules with <see cref="Severity.Warning"/> are hints that do not block creation.
/// </summary>
public sealed class IntegrationValidator : AbstractValidator<NewIntegration>
{
    public const int MaxNameLength = 80;

    public IntegrationValidator(IDbContextFactory<PortalDbContext> dbFactory, PlatformCatalog platforms)
    {
        RuleFor(i => i.Name)
            .Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("Enter a name. Users see it on the sign-in button, e.g. \"Sign in with Acme Git\".")
            .MaximumLength(MaxNameLength).WithMessage($"Keep the name to {MaxNameLength} characters or fewer.")
            // Users choose a sign-in button by its name: hidden or reordering characters could make one look like another.
            .Must(n => InvisibleCharacters.FindFirst(n) is null)
                .WithMessage(i => $"The name contains an invisible or direction-changing character ({InvisibleCharacters.Describe(InvisibleCharacters.FindFirst(i.Name) ?? 0)}): remove it, best by typing the name again instead of pasting it. Such characters can make the \"Sign in with …\" button read differently from the name you see here.")
;
        RuleFor(i => i.Name).CustomAsync(async (name, context, ct) =>
        {
            var id = context.InstanceToValidate.Id;
            var cleaned = CleanName(name);
            // The Name column compares case-insensitively (NOCASE), so "Acme" and "acme" collide.
            var taken = await InDatabaseAsync(context, "that no other integration has this name",
                db => db.Integrations.AnyAsync(x => x.Name == cleaned && x.Id != id, ct), ct);
            if (taken)
            {
                context.AddFailure($"An integration named \"{cleaned}\" already exists. Choose another name.");
            }
        });

        RuleFor(i => i.Platform)
            .Must(p => platforms.Find(p) is not null).WithMessage($"Choose the platform: {string.Join(" or ", platforms.All.Select(p => p.Kind.DisplayName))}.");

        RuleFor(i => i.BaseUrl).Custom((url, context) =>
        {
            var normalized = BaseUrlNormalizer.Normalize(url);
            if (!normalized.IsValid)
            {
                context.AddFailure(nameof(NewIntegration.BaseUrl), normalized.Error);
            }
        });

        RuleFor(i => i).Custom((i, context) =>
        {
            if (platforms.Find(i.Platform) is not { } platform)
            {
                return;
            }
            var compatibility = platform.AssessOAuth(i.ServerVersion);
            if (!i.ServerDetected && compatibility is null)
            {
                context.AddFailure(nameof(NewIntegration.ServerVersion),
                    $"The portal has not found {platform.Kind.Wording.ServerName} at this base URL yet. Run the check (\"Check again\") and fix what it reports.");
            }
            else if (i.OAuthVersion == OAuthVersion.OAuth2 && compatibility is { AllowsOAuth2: false })
            {
                context.AddFailure(nameof(NewIntegration.OAuthVersion), compatibility.Message);
            }
            else if (i.OAuthVersion == OAuthVersion.OAuth1 && platform is not IOAuth1Platform)
            {
                context.AddFailure(nameof(NewIntegration.OAuthVersion), $"{platform.Kind.DisplayName} signs in with OAuth 2 only.");
            }
        });

        RuleFor(i => i.OAuth1).NotNull().When(i => i.OAuthVersion == OAuthVersion.OAuth1)
            .WithMessage("The OAuth 1 keys are missing. Choose \"Start over\" to generate them again.");
        RuleFor(i => i.OAuth1!.ConsumerKey).CustomAsync(async (key, context, ct) =>
            {
                var id = context.InstanceToValidate.Id;
                if (await InDatabaseAsync(context, "that no other integration uses this Consumer Key",
                    db => db.Integrations.AnyAsync(x => x.ConsumerKey == key && x.Id != id, ct), ct))
                {
                    context.AddFailure("Another integration already uses this Consumer Key. Choose \"Start over\" to generate a new one.");
                }
            })
            .When(i => i.OAuthVersion == OAuthVersion.OAuth1 && i.OAuth1 is not null);

        When(i => i.OAuthVersion == OAuthVersion.OAuth2, () =>
        {
            RuleFor(i => i.ClientId)
                .Must(v => !string.IsNullOrWhiteSpace(v)).WithMessage(i => $"Paste the {Words(i).ClientIdLabel} {Words(i).ServerName} showed after you saved the application.")
                .Must(v => !HasWhitespace(v)).WithMessage(i => $"The {Words(i).ClientIdLabel} contains spaces or line breaks: copy it again from {Words(i).ServerName}, without anything around it.")
                .MaximumLength(256).WithMessage(i => $"That {Words(i).ClientIdLabel} is too long: copy it again from {Words(i).ServerName}.");
            RuleFor(i => i.ClientId)
                .Must((i, v) => platforms.Find(i.Platform)?.CheckClientId(Clean(v)) is null).WithSeverity(Severity.Warning)
                .When(i => !string.IsNullOrWhiteSpace(i.ClientId) && !HasWhitespace(i.ClientId))
                .WithMessage(i => platforms.Find(i.Platform)?.CheckClientId(Clean(i.ClientId)) ?? "");

            RuleFor(i => i.ClientSecret)
                .Must(v => !string.IsNullOrWhiteSpace(v)).WithMessage(i => $"Paste the {Words(i).ClientSecretLabel} {Words(i).ServerName} showed after you saved the application.")
                .Must(v => !HasWhitespace(v)).WithMessage(i => $"The {Words(i).ClientSecretLabel} contains spaces or line breaks: copy it again from {Words(i).ServerName}, without anything around it.")
                .MaximumLength(512).WithMessage(i => $"That {Words(i).ClientSecretLabel} is too long: copy it again from {Words(i).ServerName}.");
            RuleFor(i => i.ClientSecret)
                .Must((i, v) => platforms.Find(i.Platform)?.CheckClientSecret(Clean(v)) is null).WithSeverity(Severity.Warning)
                .When(i => !string.IsNullOrWhiteSpace(i.ClientSecret) && !HasWhitespace(i.ClientSecret))
                .WithMessage(i => platforms.Find(i.Platform)?.CheckClientSecret(Clean(i.ClientSecret)) ?? "");
        });

        PlatformWording Words(NewIntegration i) => platforms.WordingOf(i.Platform);

        // The wizard validates on every keystroke: a busy or unreachable database must not end the page and lose what was
        // typed. The check becomes a warning instead, and saving checks again (and names the database's problem).
        async Task<bool> InDatabaseAsync(ValidationContext<NewIntegration> context, string what,
            Func<PortalDbContext, Task<bool>> query, CancellationToken ct)
        {
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(ct);
                return await query(db);
            }
            catch (Exception e) when (DatabaseFailure.Describe(e) is { } cause)
            {
                context.AddFailure(new ValidationFailure(context.PropertyPath, $"The portal could not check {what} just now. {cause}")
                {
                    Severity = Severity.Warning,
                });
                return false;
            }
        }
    }

    /// <summary>Values are trimmed before validation; whitespace left inside is a copy-and-paste mistake.</summary>
    public static string Clean(string? value) => (value ?? "").Trim();

    /// <summary>
    /// A name as stored and compared: trimmed and in Unicode's composed form (NFC), so "é" typed as one character and as
    /// "e" plus a combining accent are the same name, as they look the same on the sign-in button.
    /// </summary>
    public static string CleanName(string? value)
    {
        var cleaned = Clean(value);
        try
        {
            return cleaned.Normalize(System.Text.NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            return cleaned; // an unpaired surrogate, which the name's own rule refuses
        }
    }

    private static bool HasWhitespace(string? value) => Clean(value).Any(char.IsWhiteSpace);
}
