namespace Portal.Tests.Fakes.GitLab;

/// <summary>How <see cref="GitLabFake"/> starts.</summary>
public sealed class GitLabFakeOptions
{
    /// <summary>What <c>/api/v4/metadata</c> reports at start, e.g. "17.5.1-ee"; changeable through <see cref="GitLabFake.Version"/>.</summary>
    public string Version { get; set; } = "17.5.1-ee";

    /// <summary>GitLab's relative URL root, e.g. "/gitlab"; empty for none. Requests outside it answer 404.</summary>
    public string RelativeUrlRoot { get; set; } = "";

    /// <summary>Serve https with a self-signed certificate generated at start.</summary>
    public bool Https { get; set; }

    /// <summary>With <see cref="Https"/>: a certificate from a private test CA instead of a self-signed one.</summary>
    public bool CertificateFromTestCa { get; set; }
}
