using Portal.Core.Platforms;
using FluentValidation.Results;
using Portal.Core.Authorization;
using Portal.Core.Integrations;

namespace Portal.Features.Integrations.Wizard;

/// <summary>
/// The draft as the edit page uses it: loaded from an existing integration (same id, so the same Callback URL / Redirect
/// URL), with the wizard's steps and live Base URL check, saved through <see cref="IntegrationEditing"/>.
/// </summary>
internal sealed partial class IntegrationDraft
{
    /// <summary>The integration as stored when editing began; null while the draft is the wizard's.</summary>
    public IntegrationDetails? Original { get; private set; }

    /// <summary>Until the live check has found the server, the stored OAuth version stays.</summary>
    public OAuthVersion EditedOAuthVersion => CheckedThisUrl || Original is null ? OAuthVersion : Original.OAuthVersion;

    public bool BaseUrlChanged => Original is not null && Normalization.Url != Original.BaseUrl;

    /// <summary>With a new Base URL: the admin says it is another server, so the accounts linked through it are unlinked at save.</summary>
    public bool DifferentServer { get; private set; }

    public void SetDifferentServer(bool value)
    {
        DifferentServer = value;
        HasUnsavedChanges = true;
        Changed?.Invoke();
    }

    public bool OAuthVersionChanged => Original is not null && EditedOAuthVersion != Original.OAuthVersion;

    /// <summary>A new Client ID, or a switch to OAuth 2, needs the Client Secret that belongs to it.</summary>
    public bool ClientSecretRequired => Original is not null && EditedOAuthVersion == OAuthVersion.OAuth2
        && (Original.OAuthVersion != OAuthVersion.OAuth2 || IntegrationValidator.Clean(ClientId) != Original.ClientId);

    /// <summary>Whether saving now would reset the integration to Not verified.</summary>
    public bool WillMarkNotVerified => Original is { Verification: IntegrationVerification.Verified }
        && (BaseUrlChanged || OAuthVersionChanged || ClientSecretRequired || IntegrationValidator.Clean(ClientSecret).Length > 0);

    /// <summary>Loads <paramref name="integration"/> for editing and checks its Base URL live, as the wizard does.</summary>
    public async Task StartEditingAsync(IntegrationDetails integration)
    {
        Reset();
        Original = integration;
        DifferentServer = false;
        Id = integration.Id;
        Name = integration.Name;
        Platform = integration.Platform;
        Check.UsePlatform(CurrentPlatform);
        BaseUrl = integration.BaseUrl;
        ClientId = integration.ClientId;
        ChosenOAuthVersion = integration.OAuthVersion;
        // The stored public values; the private key stays in the database and is kept unless the version changes.
        OAuth1Keys = integration is { ConsumerKey: { } key, PublicKeyPem: { } pem } ? new OAuth1Keys(key, pem, "") : null;
        HasUnsavedChanges = false;
        await ValidateAsync();
        Check.RestoreTrustedCa(integration.TrustedCaPem);
        Check.UrlChanged(Normalization.Url);
        Changed?.Invoke();
    }

    /// <summary>Leaves editing; the wizard's own draft (kept in the browser tab) is restored when it opens again.</summary>
    public void StopEditing()
    {
        if (Original is null)
        {
            return;
        }
        Original = null;
        Reset();
    }

    /// <summary>Saves through <paramref name="editing"/>, which authorizes <paramref name="actor"/> and runs the rules again.</summary>
    public async Task<AdminResult<EditIntegrationResult>> SaveEditAsync(IntegrationEditing editing, Actor actor, CancellationToken cancellationToken = default)
    {
        var original = Original ?? throw new InvalidOperationException("The draft is not editing an integration.");
        var version = EditedOAuthVersion;
        var edit = new IntegrationEdit(
            Id, Name, BaseUrl,
            CheckedThisUrl ? Check.Result!.Version : null,
            version, ClientId, ClientSecret,
            version == OAuthVersion.OAuth1 && original.OAuthVersion != OAuthVersion.OAuth1 ? OAuth1Keys : null,
            Check.TrustedCaPem,
            ChangesTrustedCa: !string.Equals(Check.TrustedCaPem, original.TrustedCaPem, StringComparison.Ordinal),
            ServerDetected: CheckedThisUrl,
            EditedFrom: original,
            DifferentServer: BaseUrlChanged && DifferentServer);
        var saved = await editing.EditAsync(actor, edit, cancellationToken);
        if (!saved.Succeeded)
        {
            return saved;
        }
        var result = saved.Value;
        if (result.Succeeded)
        {
            KeyDrafts.Forget(Id);
            HasUnsavedChanges = false;
            ClientSecret = "";
        }
        else if (!result.NotFound)
        {
            validation = new ValidationResult(result.Errors);
            Touched.UnionWith(result.Errors.Select(e => e.PropertyName));
            Changed?.Invoke();
        }
        return saved;
    }
}
