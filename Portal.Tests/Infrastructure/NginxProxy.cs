using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Portal.Tests.Fakes;

namespace Portal.Tests.Infrastructure;

/// <summary>
/// Debian's nginx in the foreground on loopback, configured with the README's snippet (ports and certificate paths
/// substituted) and a self-signed certificate made for the run. Nothing is skipped: without nginx the test fails and says
/// how to get it.
/// </summary>
public sealed partial class NginxProxy : IAsyncDisposable
{
    private readonly Process process;
    private readonly string directory;

    private NginxProxy(Process process, string directory, int port)
    {
        this.process = process;
        this.directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>
    /// Where a browser reaches the portal through nginx listening on <paramref name="port"/>: IPv6 loopback, so the portal
    /// (which nginx reaches over IPv4) can only know the browser's address from X-Forwarded-For.
    /// </summary>
    public static string PublicUrlFor(int port) => $"https://[::1]:{port}";

    public string ErrorLog => ReadLog("error.log");

    public static string Executable =>
        Environment.GetEnvironmentVariable("PORTAL_TEST_NGINX") is { Length: > 0 } path ? path
        : new[] { "/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx" }.FirstOrDefault(File.Exists)
          ?? throw new InvalidOperationException(
              "nginx is not installed, so the reverse proxy test cannot run. ./test.sh installs Debian's nginx when it is missing " +
              "(or run: apt-get install nginx).");

    /// <summary>The README's ```nginx block for one instance, exactly as an operator would copy it.</summary>
    public static string ReadmeSnippet() => ReadmeBlock("# Blazor keeps a WebSocket open");

    /// <summary>The README's ```nginx block for several instances on one PostgreSQL database.</summary>
    public static string ScaleOutSnippet() => ReadmeBlock("# Two or more portal instances");

    private static string ReadmeBlock(string firstLine)
    {
        var readme = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "README.md"));
        var blocks = NginxBlock().Matches(readme).Select(m => m.Groups["config"].Value).Where(b => b.StartsWith(firstLine, StringComparison.Ordinal)).ToList();
        Assert.True(blocks.Count == 1, $"README.md should have exactly one ```nginx block starting with \"{firstLine}\"; it has {blocks.Count}.");
        return blocks[0];
    }

    /// <summary>The README snippet with its listen ports, certificate paths and upstream port replaced for this run.</summary>
    public static string ForTest(string snippet, int listenPort, int portalPort, string certificatePath, string keyPath) =>
        WithListenAndCertificate(snippet, listenPort, certificatePath, keyPath)
            .ReplaceExactlyOnce("proxy_pass http://127.0.0.1:5080;", $"proxy_pass http://127.0.0.1:{portalPort};");

    /// <summary>The README's several-instance snippet with its listen ports, certificate paths and instances' ports replaced.</summary>
    public static string ScaleOutForTest(string snippet, int listenPort, IReadOnlyList<int> portalPorts, string certificatePath, string keyPath) =>
        WithListenAndCertificate(snippet, listenPort, certificatePath, keyPath)
            .ReplaceExactlyOnce("    server 127.0.0.1:5080;\n    server 127.0.0.1:5081;\n",
                string.Concat(portalPorts.Select(p => $"    server 127.0.0.1:{p};\n")));

    private static string WithListenAndCertificate(string snippet, int listenPort, string certificatePath, string keyPath) =>
        snippet
            .ReplaceExactlyOnce("listen 443 ssl;", $"listen 127.0.0.1:{listenPort} ssl;")
            .ReplaceExactlyOnce("listen [::]:443 ssl;", $"listen [::1]:{listenPort} ssl;")
            .ReplaceExactlyOnce("/etc/ssl/certs/portal.example.com.pem", certificatePath)
            .ReplaceExactlyOnce("/etc/ssl/private/portal.example.com.key", keyPath);

    /// <summary>Starts nginx on <paramref name="port"/> (127.0.0.1 and ::1) in front of the portal at 127.0.0.1:<paramref name="portalPort"/>.</summary>
    public static Task<NginxProxy> StartAsync(int port, int portalPort) =>
        StartAsync(port, (certificate, key) => ForTest(ReadmeSnippet(), port, portalPort, certificate, key));

    /// <summary>Starts nginx on <paramref name="port"/> with the README's several-instance snippet in front of <paramref name="portalPorts"/>.</summary>
    public static Task<NginxProxy> StartInFrontOfAsync(int port, IReadOnlyList<int> portalPorts) =>
        StartAsync(port, (certificate, key) => ScaleOutForTest(ScaleOutSnippet(), port, portalPorts, certificate, key));

    private static async Task<NginxProxy> StartAsync(int port, Func<string, string, string> serverConfig)
    {
        var executable = Executable;
        var directory = Directory.CreateTempSubdirectory("portal-nginx-").FullName;
        using (var certificate = FakeCertificate.CreateSelfSigned())
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "portal.pem"), certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(Path.Combine(directory, "portal.key"), certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        }
        var server = serverConfig(Path.Combine(directory, "portal.pem"), Path.Combine(directory, "portal.key"));
        // Foreground, one process (no workers to orphan), every file in the run's own folder.
        await File.WriteAllTextAsync(Path.Combine(directory, "nginx.conf"), $$"""
            daemon off;
            master_process off;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log info;
            events { worker_connections 256; }
            http {
                access_log {{directory}}/access.log;
                client_body_temp_path {{directory}}/client_body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
            {{server}}
            }
            """);
        var start = new ProcessStartInfo(executable, ["-p", directory + "/", "-c", Path.Combine(directory, "nginx.conf"), "-e", Path.Combine(directory, "error.log")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start)!;
        var proxy = new NginxProxy(process, directory, port);
        await proxy.WaitUntilListeningAsync();
        return proxy;
    }

    private async Task WaitUntilListeningAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"nginx stopped at start (exit code {process.ExitCode}): {await process.StandardError.ReadToEndAsync()}\n{ErrorLog}");
            }
            try
            {
                using var probe = new TcpClient(AddressFamily.InterNetworkV6);
                await probe.ConnectAsync(IPAddress.IPv6Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private string ReadLog(string name)
    {
        var path = Path.Combine(directory, name);
        // nginx holds the file open for writing; share it.
        using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        process.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // The temp folder is cleaned up with the machine's.
        }
    }

    [GeneratedRegex("```nginx\\n(?<config>.*?)```", RegexOptions.Singleline)]
    private static partial Regex NginxBlock();
}

internal static class SnippetSubstitution
{
    /// <summary>Replaces <paramref name="text"/>, which must occur exactly once, so a README edit cannot silently break the test.</summary>
    public static string ReplaceExactlyOnce(this string snippet, string text, string replacement)
    {
        var count = Regex.Count(snippet, Regex.Escape(text));
        Assert.True(count == 1, $"The README's nginx snippet should contain \"{text}\" exactly once; it contains it {count} times.");
        return snippet.Replace(text, replacement, StringComparison.Ordinal);
    }
}
