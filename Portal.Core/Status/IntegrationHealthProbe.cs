using Portal.Core.Connections;
using Portal.Core.Platforms;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Portal.Core.Integrations;
using Portal.Core.Security;

namespace Portal.Core.Status;

/// <summary>
/// Checks one integration as a chain: DNS, TCP connect, TLS, then its platform's own checks, the same as the wizard's:
/// the server (<see cref="IPlatform.DetectAsync"/>) and its OAuth 2 provider (whose metadata must name the integration's
/// base URL). Each check has
/// its own result and fix hint; after a failure the remaining checks are <see cref="StepOutcome.Skipped"/>. The whole
/// chain is bounded by <see cref="StatusOptions.ProbeTimeout"/>, so a hung server costs at most that long.
/// Expected failures are results; only cancellation of the caller's token throws.
/// </summary>
public sealed class IntegrationHealthProbe(
    IOptions<ServerConnectionOptions> connectionOptions,
    IOptions<StatusOptions> statusOptions,
    TimeProvider clock,
    OutboundAddressGuard addressGuard)
{
    /// <summary>A certificate that expires within this many days makes the integration Degraded.</summary>
    public const int CertificateWarningDays = 14;

    private readonly IOptions<ServerConnectionOptions> connectionOptions = connectionOptions;
    private readonly IOptions<StatusOptions> statusOptions = statusOptions;
    private readonly TimeProvider clock = clock;
    private readonly OutboundAddressGuard addressGuard = addressGuard;

    /// <summary>
    /// The outbound proxy the portal's requests to a server go through (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), if any: its
    /// own DNS, TCP and TLS checks would test a path the portal does not take.
    /// </summary>
    internal Func<Uri, Uri?> ProxyFor { get; init; } = static destination =>
        HttpClient.DefaultProxy is { } proxy && !proxy.IsBypassed(destination) && proxy.GetProxy(destination) is { } through && through != destination
            ? through
            : null;

    private const string AddressRefusedHint = "An integration created before the portal refused these addresses keeps its base URL: add it again with the server's real address, then disable the old one.";

    private const string TimeoutHint = "Status:ProbeTimeout sets how long the portal waits for the whole chain of checks.";

    /// <summary>Runs the chain for the integration at <paramref name="baseUrl"/> (normalised, as stored).</summary>
    public Task<IntegrationProbeReport> ProbeAsync(IPlatform platform, string baseUrl, OAuthVersion oauthVersion, CancellationToken ct)
    {
        var trimmed = baseUrl.TrimEnd('/');
        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            var now = clock.GetUtcNow();
            var steps = new List<ProbeStepResult>
            {
                new(ProbeStep.Dns, StepOutcome.Failed,
                    $"The base URL \"{baseUrl}\" is not an absolute http(s) URL, so there is nothing to check: create the integration again with {platform.Kind.Wording.ServerName}'s address.", null, 0),
            };
            steps.AddRange(Enum.GetValues<ProbeStep>().Skip(1).Select(s => Skipped(s, ProbeStep.Dns)));
            return Task.FromResult(new IntegrationProbeReport(now, 0, null, null, null, ProbeProblem.Unreachable, steps));
        }
        return new Run(this, platform, uri, trimmed, oauthVersion).ExecuteAsync(ct);
    }

    private static ProbeStepResult Skipped(ProbeStep step, ProbeStep failed) =>
        new(step, StepOutcome.Skipped, $"Not run, because the {ProbeStepResult.NameOf(failed)} check failed.", null, 0);

    // IdnHost drops an IPv6 address's brackets, which would run the address into the port.
    private static string HostAndPort(Uri uri) => uri.HostNameType == UriHostNameType.IPv6 ? ConnectionText.HostAndPort(uri) : string.Create(CultureInfo.InvariantCulture, $"{uri.IdnHost}:{uri.Port}");

    private static string Date(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>One run of the chain; holds what earlier checks found for the later ones.</summary>
    private sealed class Run(IntegrationHealthProbe owner, IPlatform platform, Uri uri, string baseUrl, OAuthVersion oauthVersion)
    {
        private readonly string server = platform.Kind.Wording.ServerName;
        private readonly List<ProbeStepResult> steps = [];
        private readonly TimeProvider clock = owner.clock;
        private readonly TimeSpan timeout = owner.statusOptions.Value.ProbeTimeout;
        private ProbeProblem problem;
        private ProbeStep current;
        private long stepStarted;
        private IPAddress[] addresses = [];
        private int? latency;
        private string? version;
        private DateTimeOffset? certificateExpiresAt;

        public async Task<IntegrationProbeReport> ExecuteAsync(CancellationToken ct)
        {
            var checkedAt = clock.GetUtcNow();
            var started = clock.GetTimestamp();
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(timeout);
            try
            {
                await RunStepsAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Fail(ProbeProblem.Unreachable, TimedOutMessage(current), TimeoutHint);
            }

            var failed = steps.FirstOrDefault(s => s.Outcome == StepOutcome.Failed)?.Step;
            foreach (var step in Enum.GetValues<ProbeStep>().Where(s => steps.All(r => r.Step != s)))
            {
                steps.Add(Skipped(step, failed ?? current));
            }
            return new IntegrationProbeReport(checkedAt, Milliseconds(started), latency, version, certificateExpiresAt, problem, steps);
        }

        private async Task RunStepsAsync(CancellationToken ct)
        {
            if (owner.ProxyFor(uri) is { } proxy)
            {
                ThroughProxy(proxy);
            }
            else
            {
                if (!await ResolveAsync(ct))
                {
                    return;
                }
                using var socket = await ConnectAsync(ct);
                if (socket is null || !await HandshakeAsync(socket, ct))
                {
                    return;
                }
            }
            if (await DetectServerAsync(ct))
            {
                await CheckOAuthProviderAsync(ct);
            }
        }

        /// <summary>The portal's requests go through an outbound proxy, which resolves the name and connects itself.</summary>
        private void ThroughProxy(Uri proxy)
        {
            var via = $"the proxy {proxy.GetLeftPart(UriPartial.Authority)} (HTTPS_PROXY / HTTP_PROXY)";
            Begin(ProbeStep.Dns);
            Add(StepOutcome.NotApplicable, $"The portal reaches {uri.IdnHost} through {via}, which resolves the name itself.");
            Begin(ProbeStep.TcpConnect);
            Add(StepOutcome.NotApplicable, $"The portal connects to {via}, not to {HostAndPort(uri)}; the {server} check below goes through it.");
            Begin(ProbeStep.Tls);
            Add(StepOutcome.NotApplicable, uri.Scheme == Uri.UriSchemeHttps
                ? $"TLS to {HostAndPort(uri)} runs inside the proxy's tunnel: the {server} check below fails if its certificate is not trusted."
                : $"The base URL uses http, without TLS.");
        }

        private async Task<bool> ResolveAsync(CancellationToken ct)
        {
            Begin(ProbeStep.Dns);
            if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
                && IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var literal))
            {
                if (LinkLocalAddresses.IsRefused(literal))
                {
                    Fail(ProbeProblem.Unreachable, LinkLocalAddresses.LiteralRefusal(literal), AddressRefusedHint);
                    return false;
                }
                addresses = [literal];
                Add(StepOutcome.NotApplicable, $"The base URL names the IP address {literal}, so there is no host name to resolve.");
                return true;
            }
            try
            {
                addresses = await owner.addressGuard.ResolveAsync(uri.IdnHost, ct);
            }
            catch (SocketException e)
            {
                Fail(ProbeProblem.Unreachable,
                    $"The host name {uri.IdnHost} could not be found ({e.SocketErrorCode}): check its spelling in the base URL, and the DNS the portal's machine uses.",
                    "The portal resolves the name on its own machine; if it runs in a container, that container needs your internal DNS.");
                return false;
            }
            if (addresses.Length == 0)
            {
                Fail(ProbeProblem.Unreachable, $"The host name {uri.IdnHost} resolves to no address: check its DNS records.", null);
                return false;
            }
            if (OutboundAddressGuard.FindRefused(addresses) is { } refused)
            {
                Fail(ProbeProblem.Unreachable, LinkLocalAddresses.ResolvedRefusal(uri.IdnHost, refused), null);
                return false;
            }
            Add(StepOutcome.Passed, $"{uri.IdnHost} resolves to {string.Join(", ", addresses.Take(4).Select(a => a.ToString()))}.");
            return true;
        }

        private async Task<Socket?> ConnectAsync(CancellationToken ct)
        {
            Begin(ProbeStep.TcpConnect);
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, uri.Port, ct);
                Add(StepOutcome.Passed, string.Create(CultureInfo.InvariantCulture,
                    $"Connected to {HostAndPort(uri)} in {Milliseconds(stepStarted)} ms."));
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                var where = HostAndPort(uri);
                var (message, hint) = e.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => (
                        $"Nothing accepts connections at {where}: check the port in the base URL and that {server} (or its proxy) is running.",
                        $"After a restart {server} may take a few minutes before it accepts connections; the next check will tell."),
                    SocketError.TimedOut => (
                        $"Connecting to {where} timed out: a firewall probably drops the connection; check the route and firewalls between the portal's machine and {server}.",
                        (string?)null),
                    SocketError.HostUnreachable or SocketError.NetworkUnreachable => (
                        $"There is no network route from the portal's machine to {where} ({e.SocketErrorCode}): check its network settings and firewall rules.",
                        null),
                    _ => (
                        $"The portal could not connect to {where} ({e.SocketErrorCode}): check the network route and firewalls between the portal's machine and {server}.",
                        null),
                };
                Fail(ProbeProblem.Unreachable, message, hint);
                return null;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        private async Task<bool> HandshakeAsync(Socket socket, CancellationToken ct)
        {
            Begin(ProbeStep.Tls);
            if (uri.Scheme != Uri.UriSchemeHttps)
            {
                Add(StepOutcome.NotApplicable, "The base URL uses http://, so there is no certificate to check.",
                    $"Over http, sign-in codes and tokens travel unencrypted: serve {server} over https where you can.");
                return true;
            }

            var options = owner.connectionOptions.Value;
            // The same trust rules as every other request to the server: the system's roots plus the operator's trusted
            // CA file, plus the certificate this integration trusts.
            var validator = ServerCertificateValidator.FromOptions(options, OutboundTrust.Current);
            X509Certificate2? leaf = null;
            ServerCertificateRejectedException? rejected = null;
            var trustedThrough = CertificateTrust.Rejected;
            try
            {
                await using var stream = new NetworkStream(socket, ownsSocket: false);
                await using var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                try
                {
                    await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                    {
                        TargetHost = uri.IdnHost.Trim('[', ']'),
                        RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
                        {
                            if (certificate is not null)
                            {
                                leaf ??= X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                            }
                            try
                            {
                                trustedThrough = validator.Check(certificate, chain, errors);
                                return trustedThrough != CertificateTrust.Rejected;
                            }
                            catch (ServerCertificateRejectedException e)
                            {
                                rejected = e;
                                return false;
                            }
                        },
                    }, ct);
                }
                catch (Exception e) when (e is AuthenticationException or IOException)
                {
                    // Worded exactly as a failed request to the server would be.
                    var (message, hint) = rejected is not null
                        ? (CertificateRejection.Describe(uri, rejected, options, server) is var failure ? (failure.Message, failure.Hint) : default)
                        : ($"The TLS handshake with {HostAndPort(uri)} failed ({ExceptionChain.Innermost(e).Message}): check that this port serves https, or use http:// if it serves plain http.",
                            $"{server} or its proxy must offer TLS 1.2 or later.");
                    Fail(ProbeProblem.Tls, message, hint);
                    return false;
                }

                if (leaf is null)
                {
                    Fail(ProbeProblem.Tls, $"{HostAndPort(uri)} completed the TLS handshake without a certificate: check the TLS settings of {server}'s server or proxy.", null);
                    return false;
                }
                var expiresAt = new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero);
                certificateExpiresAt = expiresAt;
                var days = (int)Math.Floor((expiresAt - clock.GetUtcNow()).TotalDays);
                var trust = trustedThrough switch
                {
                    CertificateTrust.TrustedCaFile => $"trusted through {ServerConnectionOptions.Section}:TrustedCaFile",
                    CertificateTrust.Integration => "trusted through this integration's trusted certificate",
                    _ => "trusted",
                };
                var certificate = $"subject \"{leaf.Subject}\", issued by \"{leaf.Issuer}\"";
                if (days < CertificateWarningDays)
                {
                    Add(StepOutcome.Warning,
                        $"The certificate of {HostAndPort(uri)} ({certificate}) expires {IntegrationStatusRules.InDays(days)}, on {Date(expiresAt)}: renew it on {server}'s server or proxy before then, or the portal will refuse the connection.",
                        $"The dashboard warns {CertificateWarningDays} days before a certificate expires.");
                }
                else
                {
                    Add(StepOutcome.Passed,
                        $"The certificate of {HostAndPort(uri)} ({certificate}) is {trust} over {ProtocolName(tls.SslProtocol)} and valid until {Date(expiresAt)} ({IntegrationStatusRules.InDays(days)}).");
                }
                return true;
            }
            finally
            {
                leaf?.Dispose();
            }
        }

        private async Task<bool> DetectServerAsync(CancellationToken ct)
        {
            Begin(ProbeStep.Server);
            var result = await platform.DetectAsync(baseUrl, ct);
            var elapsed = Milliseconds(stepStarted);
            if (!result.Found)
            {
                var kind = result.Failure switch
                {
                    ProbeFailureKind.TlsUntrusted or ProbeFailureKind.TlsOther => ProbeProblem.Tls,
                    // Something answers, but a login page, a redirect or another product's page stands in the server's place.
                    ProbeFailureKind.BaseUrlMismatch or ProbeFailureKind.LoginPage or ProbeFailureKind.Redirect or ProbeFailureKind.OtherServer => ProbeProblem.Misconfigured,
                    _ => ProbeProblem.Unreachable,
                };
                Fail(kind, result.Message, result.Hint);
                return false;
            }

            latency = elapsed;
            version = result.Version;
            var answered = string.Create(CultureInfo.InvariantCulture, $"{result.Message} answered in {elapsed} ms");
            var compatibility = result.Compatibility;
            if (oauthVersion == OAuthVersion.OAuth2 && compatibility is { AllowsOAuth2: false })
            {
                Fail(ProbeProblem.VersionUnsupported,
                    $"{answered}, but this integration uses OAuth 2. {compatibility.Message} Upgrade {server}, or set the integration up again with OAuth 1.",
                    $"A {server} downgrade or a restored backup of an older server can cause this.");
                return false;
            }
            if (oauthVersion == OAuthVersion.OAuth2 && compatibility is { IsWarning: true })
            {
                Add(StepOutcome.Warning, $"{answered}. {compatibility.OAuth2Note ?? compatibility.Message}");
                return true;
            }
            Add(StepOutcome.Passed, oauthVersion == OAuthVersion.OAuth2
                ? $"{answered}; it supports OAuth 2, which this integration uses."
                : $"{answered}; this integration uses OAuth 1.");
            return true;
        }

        private async Task CheckOAuthProviderAsync(CancellationToken ct)
        {
            Begin(ProbeStep.OAuthProvider);
            if (oauthVersion != OAuthVersion.OAuth2)
            {
                Add(StepOutcome.NotApplicable, $"This integration uses OAuth 1, which does not need {server}'s OAuth 2 provider.");
                return;
            }
            var check = await platform.CheckOAuth2ProviderAsync(baseUrl, ct);
            switch (check.Finding)
            {
                case OAuth2ProviderFinding.Ready or OAuth2ProviderFinding.InstalledWithoutMetadata:
                    Add(StepOutcome.Passed, check.Message, check.Hint);
                    break;
                case OAuth2ProviderFinding.PlainHttp:
                    Add(StepOutcome.Warning, check.Message, check.Hint);
                    break;
                case OAuth2ProviderFinding.Missing:
                    Fail(ProbeProblem.VersionUnsupported, check.Message,
                        check.Hint ?? $"A proxy that answers the provider's paths itself has the same effect: let them through to {server}.");
                    break;
                case OAuth2ProviderFinding.BaseUrlMismatch or OAuth2ProviderFinding.Blocked:
                    Fail(ProbeProblem.Misconfigured, check.Message, check.Hint);
                    break;
                default:
                    Fail(ProbeProblem.Unreachable, check.Message, check.Hint);
                    break;
            }
        }

        private void Begin(ProbeStep step)
        {
            current = step;
            stepStarted = clock.GetTimestamp();
        }

        private void Add(StepOutcome outcome, string message, string? hint = null) =>
            steps.Add(new ProbeStepResult(current, outcome, message, hint, Milliseconds(stepStarted)));

        private void Fail(ProbeProblem kind, string message, string? hint)
        {
            problem = kind;
            Add(StepOutcome.Failed, message, hint);
        }

        private int Milliseconds(long since) => (int)Math.Min(int.MaxValue, clock.GetElapsedTime(since).TotalMilliseconds);

        private string TimedOutMessage(ProbeStep step)
        {
            var within = $"within {ConnectionText.Seconds(timeout)}";
            var where = HostAndPort(uri);
            return step switch
            {
                ProbeStep.Dns => $"Resolving {uri.IdnHost} did not finish {within}: check the DNS servers the portal's machine uses.",
                ProbeStep.TcpConnect => $"Connecting to {where} did not succeed {within}: a firewall probably drops the connection; check the route and firewalls between the portal's machine and {server}.",
                ProbeStep.Tls => $"The TLS handshake with {where} did not finish {within}: check that this port serves https and that no proxy holds the connection.",
                ProbeStep.Server => $"{server} at {where} accepted the connection but did not answer the version check {within}: check that {server} is running and not overloaded.",
                _ => $"{server} at {where} did not answer the OAuth 2 provider check {within}: check that {server} is running and not overloaded.",
            };
        }

        private static string ProtocolName(SslProtocols protocol) => protocol switch
        {
            SslProtocols.Tls13 => "TLS 1.3",
            SslProtocols.Tls12 => "TLS 1.2",
            _ => protocol.ToString(),
        };
    }
}
