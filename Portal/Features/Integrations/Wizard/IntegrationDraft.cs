using Portal.Core.Authorization;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.Extensions.Options;
using Portal.Core.Configuration;
using Portal.Core.Integrations;
using Portal.Core.Platforms;
using Portal.Core.Security;

namespace Portal.Features.Integrations.Wizard;

/// <summary>What is kept of a draft across a reload: everything but the Client Secret.</summary>
/// <param name="HadOAuth1Keys">Whether the draft showed OAuth 1 keys: a restore can then tell whether they are still the same.</param>
internal sealed record DraftSnapshot(Guid Id, string Name, string Platform, string BaseUrl, string ClientId, OAuthVersion? ChosenOAuthVersion = null, string? TrustedCaPem = null,
    bool HadOAuth1Keys = false);

/// <summary>
/// The Add Integration wizard's state for one circuit. Steps read and change it; it tells them when it changed.
/// </summary>
internal sealed partial class IntegrationDraft : IDisposable
{
    private readonly IServiceProvider services;
    private IntegrationValidator? validator;
    private IntegrationService? integrations;
    private readonly PortalOptions options;
    private readonly PlatformCatalog platforms;
    private ValidationResult validation = new();

    public IntegrationDraft(BaseUrlCheck check, IServiceProvider services, IOptions<PortalOptions> options, PlatformCatalog platforms)
    {
        Check = check;
        this.platforms = platforms;
        Platform = platforms.All[0].Kind.Key;
        this.services = services;
        this.options = options.Value;
        Check.Changed += OnCheckChanged;
    }

    /// <summary>Fixed when the draft starts; the callback URL contains it, so it never changes afterwards.</summary>
    public Guid Id { get; private set; } = Guid.NewGuid();
    public string Name { get; private set; } = "";
    public string Platform { get; private set; }
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

    /// <summary>The OAuth settings open once the server is found.</summary>
    public bool ReadyForOAuthSettings => Compatibility is not null;

    /// <summary>Whether the admin may choose: servers that can use OAuth 2 may still be linked with OAuth 1.</summary>
    public bool CanChooseOAuthVersion => OAuthVersionChoice.CanChoose(CurrentPlatform, Compatibility);

    /// <summary>The admin's explicit choice, when <see cref="CanChooseOAuthVersion"/>.</summary>
    public OAuthVersion? ChosenOAuthVersion { get; private set; }

    public OAuthVersion OAuthVersion => OAuthVersionChoice.Resolve(CurrentPlatform, Compatibility, ChosenOAuthVersion);

    /// <summary>OAuth 1: a consumer key and RSA key pair made for this draft; the private key never leaves the server.</summary>
    public OAuth1Keys? OAuth1Keys { get; private set; }

    /// <summary>Whether the detected server offers OAuth 2 links beside OAuth 1 ones (as newer servers of OAuth 1 platforms do): the OAuth 1 steps then say which link type to pick.</summary>
    public bool ServerOffersExternalApplicationLinks => Compatibility is { AllowsOAuth2: true };

    public string PublicUrl => options.NormalizedPublicUrl;

    /// <summary>The chosen platform.</summary>
    public IPlatform CurrentPlatform => platforms.Find(Platform) ?? platforms.All[0];

    /// <summary>What the admin does on the server for an OAuth 2 application, in the platform's words.</summary>
    public ApplicationGuide Guide => CurrentPlatform.GuideFor(Check.Url ?? Normalization.Url ?? "", ApplicationName);

    /// <summary>The name to give the application on the server: the integration's, or a default until it has one.</summary>
    public string ApplicationName => string.IsNullOrWhiteSpace(Name) ? "Integration portal" : Name.Trim();

    public string ApplicationLinksUrl => Guide.AdminPageUrl;

    /// <summary>What the admin enters on the server for OAuth 1, once the draft has its keys; <c>null</c> otherwise.</summary>
    public OAuth1Guide? OAuth1Guide => CurrentPlatform is IOAuth1Platform platform && OAuth1Keys is { } keys
        ? platform.OAuth1GuideFor(PublicUrl, ApplicationName, keys.ConsumerKey, keys.PublicKeyPem, ServerOffersExternalApplicationLinks)
        : null;

    public event Action? Changed;

    // Resolved (from the circuit's scope) at the first change, not when the page opens: the validator builds its rules
    // per instance, and a wizard left open before anyone types in it need not keep them.
    private IntegrationValidator Validator => validator ??= services.GetRequiredService<IntegrationValidator>();

    private IntegrationService Integrations => integrations ??= services.GetRequiredService<IntegrationService>();

    private OAuth1KeyDrafts KeyDrafts => services.GetRequiredService<OAuth1KeyDrafts>();

    public async Task SetNameAsync(string? value) => await UpdateAsync(() => Name = value ?? "", nameof(NewIntegration.Name));

    public async Task SetPlatformAsync(string? value)
    {
        await UpdateAsync(() =>
        {
            Platform = value ?? "";
            // Another platform's server supports other OAuth versions: the earlier choice and keys no longer apply.
            ChosenOAuthVersion = null;
            OAuth1Keys = null;
            // Before any await: a result the previous platform's check found must never count for this one.
            Check.UsePlatform(CurrentPlatform);
        }, nameof(NewIntegration.Platform));
    }

    public async Task SetBaseUrlAsync(string? value)
    {
        await UpdateAsync(() =>
        {
            BaseUrl = value ?? "";
            // Before any await: while the validation waits for the database, a Create click may run, and the check of
            // the previous address must not count for this one.
            Check.UrlChanged(Normalization.Url);
        }, null);
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
        var created = await Integrations.CreateAsync(actor, ToRequest(), cancellationToken);
        if (!created.Succeeded)
        {
            return created;
        }
        var result = created.Value;
        if (result.Succeeded)
        {
            KeyDrafts.Forget(Id);
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

    public DraftSnapshot ToSnapshot() => new(Id, Name, Platform, BaseUrl, ClientId, ChosenOAuthVersion, Check.TrustedCaPem, OAuth1Keys is not null);

    /// <summary>
    /// A restored draft showed OAuth 1 keys that the server no longer holds (it restarted): the ones it shows now are new,
    /// and the administrator must enter them on the server again.
    /// </summary>
    public bool OAuth1KeysRenewed { get; private set; }

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
    public void StopTrustingCertificate()
    {
        // On the edit page this removes a saved trust at Save: leaving without saving must ask, as for any other change.
        HasUnsavedChanges = true;
        Check.UseTrustedCa(null);
    }

    /// <summary>Restores a draft kept in the browser session; the Client Secret is asked for again.</summary>
    public async Task RestoreAsync(DraftSnapshot snapshot)
    {
        Id = snapshot.Id;
        OAuth1KeysRenewed = snapshot.HadOAuth1Keys && !KeyDrafts.Holds(snapshot.Id);
        Name = snapshot.Name;
        Platform = platforms.Find(snapshot.Platform)?.Kind.Key ?? platforms.All[0].Kind.Key;
        Check.UsePlatform(CurrentPlatform);
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
    /// <summary>Drops this draft, OAuth 1 keys included, and starts a new one (<see cref="Reset"/>).</summary>
    public void StartOver()
    {
        KeyDrafts.Forget(Id);
        Reset();
    }

    public void Reset()
    {
        OAuth1KeysRenewed = false;
        Id = Guid.NewGuid();
        Name = BaseUrl = ClientId = ClientSecret = "";
        Platform = platforms.All[0].Kind.Key;
        Check.UsePlatform(CurrentPlatform);
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
        validation = await Validator.ValidateAsync(ToRequest());
    }

    /// <summary>Generated once per draft, when OAuth 1 is first needed (a 2048-bit key takes a moment).</summary>
    private void EnsureOAuth1Keys()
    {
        if (OAuthVersion == OAuthVersion.OAuth1 && Compatibility is not null && OAuth1Keys is null && CurrentPlatform is IOAuth1Platform)
        {
            OAuth1Keys = KeyDrafts.GetOrCreate(Id, (IOAuth1Platform)CurrentPlatform);
        }
    }

    private NewIntegration ToRequest() => new(
        Id,
        IntegrationValidator.Clean(Name),
        Platform,
        BaseUrl,
        CheckedThisUrl ? Check.Result!.Version : null,
        OAuthVersion,
        IntegrationValidator.Clean(ClientId),
        IntegrationValidator.Clean(ClientSecret),
        OAuthVersion == OAuthVersion.OAuth1 ? OAuth1Keys : null,
        Check.TrustedCaPem,
        ServerDetected: CheckedThisUrl);

    /// <summary>Whether the check found a server at the address the form holds now, not at one typed before it.</summary>
    private bool CheckedThisUrl => Check.Found && Check.Url == Normalization.Url;

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
