using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Portal.Tests.Fakes;

/// <summary>
/// A company's private CA as tests need it: a root, an issuing (intermediate) CA it signed, and the fake's server
/// certificate from the issuing CA. Like most servers, the fake sends its certificate and the issuing CA, never the root.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    public const string RootSubject = "CN=Example Corp Test Root CA, O=Example Corp";
    public const string IssuingSubject = "CN=Example Corp Issuing CA, O=Example Corp";
    public const string ServerSubject = "CN=bitbucket.example.test, O=Example Corp";

    private TestCertificateAuthority(X509Certificate2 root, X509Certificate2 issuing, X509Certificate2 server)
    {
        Root = root;
        Issuing = issuing;
        Server = server;
    }

    /// <summary>The self-signed root, public part only.</summary>
    public X509Certificate2 Root { get; }

    /// <summary>The intermediate that issued <see cref="Server"/>, public part only.</summary>
    public X509Certificate2 Issuing { get; }

    /// <summary>The fake's server certificate (127.0.0.1, ::1 and localhost) with its private key.</summary>
    public X509Certificate2 Server { get; }

    public static TestCertificateAuthority Create()
    {
        var now = DateTimeOffset.UtcNow;
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest(RootSubject, rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        using var root = rootRequest.CreateSelfSigned(now.AddMinutes(-10), now.AddYears(5));

        using var issuingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var issuingRequest = new CertificateRequest(IssuingSubject, issuingKey, HashAlgorithmName.SHA256);
        issuingRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        issuingRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        issuingRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(issuingRequest.PublicKey, false));
        issuingRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        using var issuingPublic = issuingRequest.Create(root, now.AddMinutes(-9), now.AddYears(2), [1, 1, 1, 1]);
        using var issuing = issuingPublic.CopyWithPrivateKey(issuingKey);

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest(ServerSubject, serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuing, true, false));
        using var serverPublic = serverRequest.Create(issuing, now.AddMinutes(-8), now.AddDays(30), [2, 2, 2, 2]);
        using var server = serverPublic.CopyWithPrivateKey(serverKey);

        return new TestCertificateAuthority(
            X509CertificateLoader.LoadCertificate(root.RawData),
            X509CertificateLoader.LoadCertificate(issuing.RawData),
            // A PKCS#12 round trip gives a key Kestrel can use on every platform (ephemeral keys fail on Windows).
            X509CertificateLoader.LoadPkcs12(server.Export(X509ContentType.Pkcs12), password: null));
    }

    public void Dispose()
    {
        Root.Dispose();
        Issuing.Dispose();
        Server.Dispose();
    }
}
