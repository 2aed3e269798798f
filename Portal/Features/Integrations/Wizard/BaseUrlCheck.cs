using Portal.Core.Integrations;
using Portal.Core.Platforms.BitbucketServer;
using Portal.Core.Security;

namespace Portal.Features.Integrations.Wizard;

/// <summary>Where the live Bitbucket check of a base URL stands.</summary>
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
/// and cancels the check in flight whenever the URL changes. When the Bitbucket it finds supports OAuth 2, it then
/// checks the OAuth 2 provider (its metadata must name this base URL). Checks trust <see cref="TrustedCaPem"/>, the
/// certificate the admin chose to trust for this integration, besides the system's roots.
/// </summary>
internal sealed class BaseUrlCheck(BitbucketVersionProbe probe, TimeProvider clock, ILogger<BaseUrlCheck> logger) : IDisposable
{
    private CancellationTokenSource? pending;

    /// <summary>How long typing must pause before the portal calls Bitbucket.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(600);

    public BaseUrlCheckStatus Status { get; private set; }

    /// <summary>The URL the current result (or the check in flight) is for.</summary>
    public string? Url { get; private set; }

    public BitbucketProbeResult? Result { get; private set; }

    public bool Found => Status == BaseUrlCheckStatus.Completed && Result is { Found: true };

    /// <summary>Whether the OAuth 2 provider check of a found Bitbucket is on its way.</summary>
    public bool ProviderChecking { get; private set; }

    /// <summary>The OAuth 2 provider check of the found Bitbucket; <c>null</c> until it is done, or when Bitbucket only supports OAuth 1.</summary>
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
        _ = RunAsync(url, delay, TrustedCaPem, pending.Token);
    }

    private async Task RunAsync(string url, TimeSpan delay, string? trustedCaPem, CancellationToken cancellationToken)
    {
        // Only this check's calls trust the integration's certificate; the scope ends with this method.
        using var trust = OutboundTrust.Use(trustedCaPem);
        try
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, clock, cancellationToken);
            }
            var result = await probe.ProbeAsync(url, cancellationToken);
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            Result = result;
            Status = BaseUrlCheckStatus.Completed;
            ProviderChecking = result.Compatibility?.OAuthVersion == OAuthVersion.OAuth2;
            Changed?.Invoke();
            if (ProviderChecking)
            {
                await CheckProviderAsync(url, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // A newer URL replaced this check.
        }
        catch (Exception e)
        {
            logger.LogError(e, "The base URL check failed unexpectedly");
            Result = new BitbucketProbeResult(null, ProbeFailureKind.Unreachable,
                "The check failed unexpectedly. Choose \"Check again\"; if it keeps failing, the portal's log has the details.", null);
            Status = BaseUrlCheckStatus.Completed;
            Changed?.Invoke();
        }
    }

    private async Task CheckProviderAsync(string url, CancellationToken cancellationToken)
    {
        OAuth2ProviderCheck? provider = null;
        try
        {
            provider = await probe.CheckOAuth2ProviderAsync(url, cancellationToken);
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
