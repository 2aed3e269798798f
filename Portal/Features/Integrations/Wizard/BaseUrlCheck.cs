using Portal.Core.Platforms;
using Portal.Core.Integrations;
using Portal.Core.Security;

namespace Portal.Features.Integrations.Wizard;

/// <summary>Where the live check of a base URL stands.</summary>
internal enum BaseUrlCheckStatus
{
    /// <summary>No valid base URL to check yet.</summary>
    Idle,
    /// <summary>Waiting for the admin to stop typing, or the request is on its way.</summary>
    Checking,
    Completed,
}

/// <summary>
/// The live check beside the Base URL field: waits until typing pauses (one probe per pause, not per keystroke),
/// and cancels the check in flight whenever the URL changes. It asks the chosen platform (<see cref="Platform"/>); when
/// the server it finds supports OAuth 2, it then checks the OAuth 2 provider (its metadata must name this base URL). Checks trust <see cref="TrustedCaPem"/>, the
/// certificate the admin chose to trust for this integration, besides the system's roots.
/// </summary>
internal sealed class BaseUrlCheck(PlatformCatalog platforms, TimeProvider clock, ILogger<BaseUrlCheck> logger) : IDisposable
{
    /// <summary>The platform whose server the check looks for; the first one offered until the wizard chooses.</summary>
    public IPlatform Platform { get; private set; } = platforms.All[0];

    /// <summary>Looks for <paramref name="platform"/>'s server from now on, and checks the URL again if there is one.</summary>
    public void UsePlatform(IPlatform platform)
    {
        if (platform.Kind.Key == Platform.Kind.Key)
        {
            return;
        }
        Platform = platform;
        if (Url is not null)
        {
            Start(Url, TimeSpan.Zero);
        }
    }

    private CancellationTokenSource? pending;
    private string? resultPlatform;

    /// <summary>How long typing must pause before the portal calls the server.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(600);

    public BaseUrlCheckStatus Status { get; private set; }

    /// <summary>The URL the current result (or the check in flight) is for.</summary>
    public string? Url { get; private set; }

    public ServerDetection? Result { get; private set; }

    /// <summary>Whether the current platform's server was found: a result another platform's check found never counts.</summary>
    public bool Found => Status == BaseUrlCheckStatus.Completed && Result is { Found: true } && resultPlatform == Platform.Kind.Key;

    /// <summary>Whether the OAuth 2 provider check of a found server is on its way.</summary>
    public bool ProviderChecking { get; private set; }

    /// <summary>The OAuth 2 provider check of the found server; <c>null</c> until it is done, or when the server only supports OAuth 1.</summary>
    public OAuth2ProviderCheck? Provider { get; private set; }

    /// <summary>The certificate (PEM) this integration trusts for its server; <c>null</c> for none.</summary>
    public string? TrustedCaPem { get; private set; }

    /// <summary>Trusts <paramref name="pem"/> (<c>null</c>: nothing of its own) and checks the URL again at once.</summary>
    public void UseTrustedCa(string? pem)
    {
        TrustedCaPem = pem;
        if (Url is not null)
        {
            Start(Url, TimeSpan.Zero);
        }
        else
        {
            Changed?.Invoke();
        }
    }

    /// <summary>Sets the trust without checking (a page that restores or loads it checks afterwards).</summary>
    public void RestoreTrustedCa(string? pem) => TrustedCaPem = pem;

    /// <summary>Raised on the probe's thread; components marshal to their renderer.</summary>
    public event Action? Changed;

    /// <summary>Called on every keystroke with the normalised URL (null when the input is not a valid URL).</summary>
    public void UrlChanged(string? normalizedUrl)
    {
        if (normalizedUrl == Url && Status != BaseUrlCheckStatus.Idle)
        {
            return;
        }
        Start(normalizedUrl, Debounce);
    }

    /// <summary>"Check again": runs at once, even for the same URL.</summary>
    public void CheckAgain() => Start(Url, TimeSpan.Zero);

    private void Start(string? url, TimeSpan delay)
    {
        pending?.Cancel();
        pending?.Dispose();
        pending = null;
        Url = url;
        Result = null;
        Provider = null;
        ProviderChecking = false;
        if (url is null)
        {
            Status = BaseUrlCheckStatus.Idle;
            Changed?.Invoke();
            return;
        }
        Status = BaseUrlCheckStatus.Checking;
        pending = new CancellationTokenSource();
        Changed?.Invoke();
        _ = RunAsync(Platform, url, delay, TrustedCaPem, pending.Token);
    }

    private async Task RunAsync(IPlatform platform, string url, TimeSpan delay, string? trustedCaPem, CancellationToken cancellationToken)
    {
        // Only this check's calls trust the integration's certificate; the scope ends with this method.
        using var trust = OutboundTrust.Use(trustedCaPem);
        try
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, clock, cancellationToken);
            }
            var result = await platform.DetectAsync(url, cancellationToken);
            if (cancellationToken.IsCancellationRequested || platform.Kind.Key != Platform.Kind.Key)
            {
                return;
            }
            resultPlatform = platform.Kind.Key;
            Result = result;
            Status = BaseUrlCheckStatus.Completed;
            ProviderChecking = result.Compatibility is { AllowsOAuth2: true };
            Changed?.Invoke();
            if (ProviderChecking)
            {
                await CheckProviderAsync(platform, url, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // A newer URL replaced this check.
        }
        catch (Exception e)
        {
            logger.LogError(e, "The base URL check failed unexpectedly");
            Result = ServerDetection.Fail(ProbeFailureKind.Unreachable,
                "The check failed unexpectedly. Choose \"Check again\"; if it keeps failing, the portal's log has the details.");
            Status = BaseUrlCheckStatus.Completed;
            Changed?.Invoke();
        }
    }

    private async Task CheckProviderAsync(IPlatform platform, string url, CancellationToken cancellationToken)
    {
        OAuth2ProviderCheck? provider = null;
        try
        {
            provider = await platform.CheckOAuth2ProviderAsync(url, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The version is known; a failed provider check only leaves its note out.
            logger.LogError(e, "The OAuth 2 provider check failed unexpectedly");
        }
        if (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        Provider = provider;
        ProviderChecking = false;
        Changed?.Invoke();
    }

    public void Dispose()
    {
        pending?.Cancel();
        pending?.Dispose();
    }
}
