using Portal.Core.Authorization;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.Extensions.Options;
using Portal.Core.Configuration;
using Portal.Core.Integrations;
using Portal.Core.OAuth.OAuth1;
using Portal.Core.Platforms;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Security;

namespace Portal.Features.Integrations.Wizard;

/// <summary>What is kept of a draft across a reload: everything but the Client Secret.</summary>
internal sealed record DraftSnapshot(Guid Id, string Name, string Platform, string BaseUrl, string ClientId, OAuthVersion? ChosenOAuthVersion = null, string? TrustedCaPem = null);

/// <summary>
/// The Add Integration wizard's state for one circuit. Steps read and change it; it tells them when it changed.
/// </summary>
internal sealed partial class IntegrationDraft : IDisposable
{
    private readonly IntegrationValidator validator;
    private readonly IntegrationService integrations;
    private readonly PortalOptions options;
    private ValidationResult validation = new();

    public IntegrationDraft(BaseUrlCheck check, IntegrationValidator validator, IntegrationService integrations, IOptions<PortalOptions> options)
    {
        Check = check;
        this.validator = validator;
        this.integrations = integrations;
        this.options = options.Value;
        Check.Changed += OnCheckChanged;
    }

    /// <summary>Fixed when the draft starts; the callback URL contains it, so it never changes afterwards.</summary>
    public Guid Id { get; private set; } = Guid.NewGuid();
    public string Name { get; private set; } = "";
    public string Platform { get; private set; } = PlatformRegistry.BitbucketServer.Key;
    public string BaseUrl { get; private set; } = "";
    public string ClientId { get; private set; } = "";
    public string ClientSecret { get; private set; } = "";

    /// <summary>True once the admin typed anything that is not saved yet.</summary>
    public bool HasUnsavedChanges { get; private set; }

    /// <summary>Fields the admin has left or the Create button has been pressed for; only their messages are shown.</summary>
    public HashSet<string> Touched { get; } = [];

    public BaseUrlCheck Check { get; }

    public BaseUrlNormalization Normalization => BaseUrlNormalizer.Normalize(BaseUrl);

    public string CallbackUrl => Core.Integrations.CallbackUrl.For(options.NormalizedPublicUrl, Id);

    public string? CallbackUrlWarning => Core.Integrations.CallbackUrl.WarningFor(options.NormalizedPublicUrl);

    public OAuthCompatibility? Compatibility => Check.Found ? Check.Result!.Compatibility : null;

    /// <summary>The OAuth settings open once Bitbucket is found.</summary>
    public bool ReadyForOAuthSettings => Compatibility is not null;

    /// <summary>Whether the admin may choose: servers that can use OAuth 2 may still be linked with OAuth 1.</summary>
    public bool CanChooseOAuthVersion => Compatibility is { OAuthVersion: OAuthVersion.OAuth2 };

    /// <summary>The admin's explicit choice, when <see cref="CanChooseOAuthVersion"/>.</summary>
    public OAuthVersion? ChosenOAuthVersion { get; private set; }

    public OAuthVersion OAuthVersion => CanChooseOAuthVersion ? ChosenOAuthVersion ?? OAuthVersion.OAuth2 : Compatibility?.OAuthVersion ?? OAuthVersion.OAuth2;

    /// <summary>OAuth 1: a consumer key and RSA key pair made for this draft; the private key never leaves the server.</summary>
    public OAuth1Keys? OAuth1Keys { get; private set; }

    /// <summary>Whether the detected Bitbucket has the two link types (7.20 and later), so the admin must pick "Atlassian product" for OAuth 1.</summary>
    public bool ServerOffersExternalApplicationLinks => Compatibility is { OAuthVersion: OAuthVersion.OAuth2 };

    public string PublicUrl => options.NormalizedPublicUrl;

    public string ApplicationLinksUrl => $"{Check.Url}/plugins/servlet/applinks/listApplicationLinks";

    public event Action? Changed;

    public async Task SetNameAsync(string? value) => await UpdateAsync(() => Name = value ?? "", nameof(NewIntegration.Name));

    public async Task SetPlatformAsync(string? value) => await UpdateAsync(() => Platform = value ?? "", nameof(NewIntegration.Platform));

    public async Task SetBaseUrlAsync(string? value)
    {
        await UpdateAsync(() => BaseUrl = value ?? "", null);
        Check.UrlChanged(Normalization.Url);
    }

    public async Task ChooseOAuthVersionAsync(OAuthVersion version) => await UpdateAsync(() => ChosenOAuthVersion = version, null);

    public async Task SetClientIdAsync(string? value) => await UpdateAsync(() => ClientId = value ?? "", nameof(NewIntegration.ClientId));

    public async Task SetClientSecretAsync(string? value) => await UpdateAsync(() => ClientSecret = value ?? "", nameof(NewIntegration.ClientSecret));

    public IEnumerable<string> ErrorsFor(string property) => MessagesFor(property, Severity.Error);

    public IEnumerable<string> WarningsFor(string property) => MessagesFor(property, Severity.Warning);

    /// <summary>
    /// Saves through the service, which authorizes <paramref name="actor"/> and runs the same rules again. On a rule's
    /// failure every message is shown; a refusal or a database failure leaves the draft as it is.
    /// </summary>
    public async Task<AdminResult<CreateIntegrationResult>> CreateAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        var created = await integrations.CreateAsync(actor, ToRequest(), cancellationToken);
        if (!created.Succeeded)
        {
            return created;
        }
        var result = created.Value;
        if (result.Succeeded)
        {
            HasUnsavedChanges = false;
            ClientSecret = "";
        }
        else
        {
            validation = new ValidationResult(result.Errors);
            Touched.UnionWith(result.Errors.Select(e => e.PropertyName));
            Changed?.Invoke();
        }
        return created;
    }

    public DraftSnapshot ToSnapshot() => new(Id, Name, Platform, BaseUrl, ClientId, ChosenOAuthVersion, Check.TrustedCaPem);

    /// <summary>
    /// Trusts <paramref name="pem"/> for this integration (kept in the draft, saved at Create Integration) and checks the
    /// Base URL again; returns why it cannot be trusted instead, leaving everything as it was.
    /// </summary>
    public string? TrustCertificate(string pem, DateTimeOffset now)
    {
        var (certificate, problem) = TrustedCertificatePem.Parse(pem, now);
        if (problem is not null)
        {
            return problem;
        }
        HasUnsavedChanges = true;
        Check.UseTrustedCa(certificate!.Pem);
        return null;
    }

    /// <summary>Stops trusting the draft's certificate and checks the Base URL again.</summary>
    public void StopTrustingCertificate() => Check.UseTrustedCa(null);

    /// <summary>Restores a draft kept in the browser session; the Client Secret is asked for again.</summary>
    public async Task RestoreAsync(DraftSnapshot snapshot)
    {
        Id = snapshot.Id;
        Name = snapshot.Name;
        Platform = PlatformRegistry.Find(snapshot.Platform)?.Key ?? PlatformRegistry.BitbucketServer.Key;
        BaseUrl = snapshot.BaseUrl;
        ClientId = snapshot.ClientId;
        ChosenOAuthVersion = snapshot.ChosenOAuthVersion;
        Check.RestoreTrustedCa(snapshot.TrustedCaPem);
        HasUnsavedChanges = true;
        Touched.UnionWith([nameof(NewIntegration.Name), nameof(NewIntegration.ClientId)]);
        await ValidateAsync();
        Check.UrlChanged(Normalization.Url);
        Changed?.Invoke();
    }

    /// <summary>Starts over with a new id (the old callback URL no longer applies).</summary>
    public void Reset()
    {
        Id = Guid.NewGuid();
        Name = BaseUrl = ClientId = ClientSecret = "";
        Platform = PlatformRegistry.BitbucketServer.Key;
        ChosenOAuthVersion = null;
        OAuth1Keys = null;
        Check.RestoreTrustedCa(null);
        HasUnsavedChanges = false;
        Touched.Clear();
        validation = new ValidationResult();
        Check.UrlChanged(null);
        Changed?.Invoke();
    }

    private async Task UpdateAsync(Action change, string? property)
    {
        change();
        HasUnsavedChanges = true;
        if (property is not null)
        {
            Touched.Add(property);
        }
        await ValidateAsync();
        Changed?.Invoke();
    }

    private async Task ValidateAsync()
    {
        EnsureOAuth1Keys();
        validation = await validator.ValidateAsync(ToRequest());
    }

    /// <summary>Generated once per draft, when OAuth 1 is first needed (a 2048-bit key takes a moment).</summary>
    private void EnsureOAuth1Keys()
    {
        if (OAuthVersion == OAuthVersion.OAuth1 && Compatibility is not null && OAuth1Keys is null)
        {
            OAuth1Keys = OAuth1KeyIssuer.Issue();
        }
    }

    private NewIntegration ToRequest() => new(
        Id,
        IntegrationValidator.Clean(Name),
        Platform,
        BaseUrl,
        Check.Found ? Check.Result!.Version!.Value.ToString() : null,
        OAuthVersion,
        IntegrationValidator.Clean(ClientId),
        IntegrationValidator.Clean(ClientSecret),
        OAuthVersion == OAuthVersion.OAuth1 ? OAuth1Keys : null,
        Check.TrustedCaPem);

    private IEnumerable<string> MessagesFor(string property, Severity severity) =>
        Touched.Contains(property)
            ? validation.Errors.Where(e => e.PropertyName == property && e.Severity == severity).Select(e => e.ErrorMessage).Distinct()
            : [];

    private void OnCheckChanged()
    {
        EnsureOAuth1Keys();
        Changed?.Invoke();
    }

    public void Dispose() => Check.Changed -= OnCheckChanged;
}
