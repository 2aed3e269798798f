namespace Portal.Tests.Fakes;

/// <summary>How <see cref="BitbucketFake"/> starts.</summary>
public sealed partial class BitbucketFakeOptions
{
    /// <summary>The version application-properties reports at start; changeable later through <see cref="BitbucketFake.Version"/>.</summary>
    public string Version { get; set; } = "8.9.1";

    /// <summary>Bitbucket's context path, e.g. "/bitbucket"; empty for none. Requests outside it answer 404.</summary>
    public string ContextPath { get; set; } = "";

    /// <summary>Serve https with a self-signed certificate generated at start (see <see cref="BitbucketFake.Certificate"/>).</summary>
    public bool Https { get; set; }

    /// <summary>
    /// With <see cref="Https"/>: serve a certificate issued by a private test CA (<see cref="BitbucketFake.CertificateAuthority"/>)
    /// instead of a self-signed one.
    /// </summary>
    public bool CertificateFromTestCa { get; set; }
}
