using FluentValidation;
using FluentValidation.Results;
using Microsoft.Extensions.Options;
using Portal.Core.Configuration;
using Portal.Core.Integrations;
using Portal.Core.Platforms;
using Portal.Core.Platforms.BitbucketServer;

namespace Portal.Features.Integrations.Wizard;

/// <summary>What is kept of a draft across a reload: everything but the Client Secret.</summary>
internal sealed record DraftSnapshot(Guid Id, string Name, string Platform, string BaseUrl, string ClientId);

/// <summary>
/// The Add Integration wizard's state for one circuit. Steps read and change it; it tells them when it changed.
/// </summary>
internal sealed class IntegrationDraft : IDisposable
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

    /// <summary>The OAuth settings and credentials steps open once Bitbucket is found at a URL that can use OAuth 2.</summary>
    public bool ReadyForOAuthSettings => Compatibility is { OAuthVersion: OAuthVersion.OAuth2 };

    public string ApplicationLinksUrl => $"{Check.Url}/plugins/servlet/applinks/listApplicationLinks";

    public event Action? Changed;

    public async Task SetNameAsync(string? value) => await UpdateAsync(() => Name = value ?? "", nameof(NewIntegration.Name));

    public async Task SetPlatformAsync(string? value) => await UpdateAsync(() => Platform = value ?? "", nameof(NewIntegration.Platform));

    public async Task SetBaseUrlAsync(string? value)
    {
        await UpdateAsync(() => BaseUrl = value ?? "", null);
        Check.UrlChanged(Normalization.Url);
    }

    public async Task SetClientIdAsync(string? value) => await UpdateAsync(() => ClientId = value ?? "", nameof(NewIntegration.ClientId));

    public async Task SetClientSecretAsync(string? value) => await UpdateAsync(() => ClientSecret = value ?? "", nameof(NewIntegration.ClientSecret));

    public IEnumerable<string> ErrorsFor(string property) => MessagesFor(property, Severity.Error);

    public IEnumerable<string> WarningsFor(string property) => MessagesFor(property, Severity.Warning);

    /// <summary>Saves through the service, which runs the same rules again. On failure every message is shown.</summary>
    public async Task<CreateIntegrationResult> CreateAsync(CancellationToken cancellationToken = default)
    {
        var result = await integrations.CreateAsync(ToRequest(), cancellationToken);
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
        return result;
    }

    public DraftSnapshot ToSnapshot() => new(Id, Name, Platform, BaseUrl, ClientId);

    /// <summary>Restores a draft kept in the browser session; the Client Secret is asked for again.</summary>
    public async Task RestoreAsync(DraftSnapshot snapshot)
    {
        Id = snapshot.Id;
        Name = snapshot.Name;
        Platform = PlatformRegistry.Find(snapshot.Platform)?.Key ?? PlatformRegistry.BitbucketServer.Key;
        BaseUrl = snapshot.BaseUrl;
        ClientId = snapshot.ClientId;
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

    private async Task ValidateAsync() => validation = await validator.ValidateAsync(ToRequest());

    private NewIntegration ToRequest() => new(
        Id,
        IntegrationValidator.Clean(Name),
        Platform,
        BaseUrl,
        Check.Found ? Check.Result!.Version!.Value.ToString() : null,
        Compatibility?.OAuthVersion ?? OAuthVersion.OAuth2,
        IntegrationValidator.Clean(ClientId),
        IntegrationValidator.Clean(ClientSecret));

    private IEnumerable<string> MessagesFor(string property, Severity severity) =>
        Touched.Contains(property)
            ? validation.Errors.Where(e => e.PropertyName == property && e.Severity == severity).Select(e => e.ErrorMessage).Distinct()
            : [];

    private void OnCheckChanged() => Changed?.Invoke();

    public void Dispose() => Check.Changed -= OnCheckChanged;
}
