using Portal.Tests.Infrastructure;

namespace Portal.Tests.Host;

/// <summary>A key file the portal cannot use stops it at start, before it serves anything, with the setting named.</summary>
public sealed class KeyFileConfigurationTests
{
    [Theory]
    [InlineData("wrong password", "DataProtection:CertificatePassword does not open the key file")]
    [InlineData("no private key", "holds a certificate without its private key")]
    [InlineData("cannot be created", "DataProtection:CertificatePath: no key file exists at")]
    public async Task An_unusable_key_file_stops_the_portal_with_a_message_naming_the_setting(string problem, string message)
    {
        var databasePath = TestPaths.NewDatabasePath();
        var keyFile = TestPaths.KeyFilePath(databasePath);
        var environment = new Dictionary<string, string>();
        switch (problem)
        {
            case "wrong password":
                TestKeyFiles.WriteRsa(keyFile, "the right one");
                environment["DataProtection__CertificatePassword"] = "a wrong one";
                break;
            case "no private key":
                TestKeyFiles.WriteWithoutPrivateKey(keyFile);
                break;
            case "cannot be created":
                Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!);
                File.WriteAllText(keyFile, "");
                keyFile = Path.Combine(keyFile, "data-protection.pfx"); // a folder that is a file
                break;
        }
        environment["DataProtection__CertificatePath"] = keyFile;
        try
        {
            var (exitCode, output) = await PortalProcess.RunUntilExitAsync(databasePath, environment);

            Assert.Equal(1, exitCode);
            Assert.Contains(message, output, StringComparison.Ordinal);
            Assert.DoesNotContain("/setup?token=", output, StringComparison.Ordinal);
            Assert.DoesNotContain("a wrong one", output, StringComparison.Ordinal);
        }
        finally
        {
            TestPaths.DeleteDatabase(databasePath);
        }
    }
}
