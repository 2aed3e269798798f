using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Portal.Core.Security;

/// <summary>
/// The extra certificate one integration trusts for its server's https certificate, in force for the calls made
/// inside <see cref="Use"/> on the current async flow (sign-in, status probe, live check of that integration).
/// Outbound handlers read <see cref="Current"/> per request and keep a separate connection pool per trust, so a
/// connection opened under one integration's trust is never reused for another integration.
/// </summary>
public sealed class OutboundTrust
{
    private static readonly AsyncLocal<OutboundTrust?> Ambient = new();

    private OutboundTrust(string key, X509Certificate2Collection anchors)
    {
        Key = key;
        Anchors = anchors;
    }

    /// <summary>The trust in force on this async flow; <c>null</c> when only the system's (and the global) roots apply.</summary>
    public static OutboundTrust? Current => Ambient.Value;

    /// <summary>Identifies the trusted certificates (SHA-256 of the PEM); equal keys mean equal trust.</summary>
    public string Key { get; }

    /// <summary>The certificates a server's chain may end at, besides the system's roots.</summary>
    public X509Certificate2Collection Anchors { get; }

    /// <summary>
    /// Trusts <paramref name="trustedCaPem"/> (as stored on the integration; <c>null</c> for none) until the returned
    /// scope is disposed. A <c>null</c> PEM clears any outer trust, so code for one integration never inherits another's.
    /// </summary>
    public static IDisposable Use(string? trustedCaPem)
    {
        var previous = Ambient.Value;
        var anchors = TrustedCertificatePem.Load(trustedCaPem);
        Ambient.Value = anchors.Count == 0
            ? null
            : new OutboundTrust(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(trustedCaPem!.Trim()))), anchors);
        return new Scope(previous);
    }

    private sealed class Scope(OutboundTrust? previous) : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            if (!disposed)
            {
                disposed = true;
                Ambient.Value = previous;
            }
        }
    }
}
