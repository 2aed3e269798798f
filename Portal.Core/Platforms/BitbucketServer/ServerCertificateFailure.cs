namespace Portal.Core.Platforms.BitbucketServer;

/// <summary>Words a call that failed because the server's certificate was refused, for sign-in and token messages.</summary>
public static class ServerCertificateFailure
{
    /// <summary>
    /// The cause and the fix when <paramref name="exception"/> (or one of its inner exceptions) is a refused server
    /// certificate of the server at <paramref name="url"/>; otherwise <c>null</c>.
    /// </summary>
    public static string? Describe(Exception? exception, Uri url)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is ServerCertificateRejectedException rejected)
            {
                var result = ProbeExceptionClassifier.CertificateRejected(url, rejected, new BitbucketClientOptions());
                return result.Failure == ProbeFailureKind.TlsUntrusted
                    ? $"{result.Message} An administrator can also trust its CA for this integration alone: Integrations, Certificate."
                    : result.Message;
            }
        }
        return null;
    }
}
