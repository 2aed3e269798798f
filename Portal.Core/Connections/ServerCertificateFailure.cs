namespace Portal.Core.Connections;

/// <summary>Words a call that failed because the server's certificate was refused, for sign-in and token messages.</summary>
public static class ServerCertificateFailure
{
    /// <summary>
    /// The cause and the fix when <paramref name="exception"/> (or one of its inner exceptions) is a refused certificate
    /// of <paramref name="serverName"/>'s server at <paramref name="url"/>; otherwise <c>null</c>.
    /// </summary>
    public static string? Describe(Exception? exception, Uri url, string serverName)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is ServerCertificateRejectedException rejected)
            {
                var result = CertificateRejection.Describe(url, rejected, new ServerConnectionOptions(), serverName);
                var message = result.Hint is { } hint ? $"{result.Message} {hint}" : result.Message;
                return result.Failure == Platforms.ProbeFailureKind.TlsUntrusted && !rejected.IntegrationTrustConfigured
                    ? $"{message} An administrator can also trust its CA for this integration alone: Integrations, Certificate."
                    : message;
            }
        }
        return null;
    }
}
