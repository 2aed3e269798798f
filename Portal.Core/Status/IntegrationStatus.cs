namespace Portal.Core.Status;

/// <summary>What the status dashboard says about one integration. The numbers are stored; never renumber them.</summary>
public enum IntegrationStatus
{
    /// <summary>Enabled, but the scheduler has not checked it yet.</summary>
    NotChecked = 0,

    /// <summary>Reachable, compatible, and a sign-in through it has worked.</summary>
    Connected = 1,

    /// <summary>Reachable and compatible, but nobody has signed in through it yet.</summary>
    NotVerified = 2,

    /// <summary>Works, but something needs attention soon: certificate expiring, failing sign-ins, slow answers.</summary>
    Degraded = 3,

    /// <summary>The server answers, but its version or plugins no longer fit the integration's OAuth version.</summary>
    VersionUnsupported = 4,

    /// <summary>The https certificate or handshake is not acceptable.</summary>
    TlsError = 5,

    /// <summary>DNS, TCP, timeout or HTTP failure: the portal cannot talk to the server.</summary>
    Unreachable = 6,

    /// <summary>Switched off by an administrator; not probed.</summary>
    Disabled = 7,

    /// <summary>The server answers, but a setting breaks sign-in: its own base URL setting differs from the integration's, or a proxy or plugin answers in its place.</summary>
    Misconfigured = 8,
}

/// <summary>The words the dashboard uses for each <see cref="IntegrationStatus"/>.</summary>
public static class IntegrationStatusText
{
    /// <summary>The badge text, e.g. "TLS error".</summary>
    public static string Of(IntegrationStatus status) => status switch
    {
        IntegrationStatus.Connected => "Connected",
        IntegrationStatus.NotVerified => "Not verified",
        IntegrationStatus.Degraded => "Degraded",
        IntegrationStatus.VersionUnsupported => "Version unsupported",
        IntegrationStatus.Misconfigured => "Misconfigured",
        IntegrationStatus.TlsError => "TLS error",
        IntegrationStatus.Unreachable => "Unreachable",
        IntegrationStatus.Disabled => "Disabled",
        _ => "Not checked yet",
    };

    /// <summary>Whether sign-ins can work in this status (it counts as available in the 24-hour strip).</summary>
    public static bool IsAvailable(IntegrationStatus status) =>
        status is IntegrationStatus.Connected or IntegrationStatus.NotVerified or IntegrationStatus.Degraded;

    /// <summary>Orders statuses from harmless to worst, for the worst status of an hour.</summary>
    public static int Severity(IntegrationStatus status) => status switch
    {
        IntegrationStatus.Connected => 1,
        IntegrationStatus.NotVerified => 2,
        IntegrationStatus.Degraded => 3,
        IntegrationStatus.Misconfigured => 4,
        IntegrationStatus.VersionUnsupported => 5,
        IntegrationStatus.TlsError => 6,
        IntegrationStatus.Unreachable => 7,
        _ => 0,
    };
}
