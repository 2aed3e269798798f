using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Portal.Tests.Infrastructure;

/// <summary>
/// The real portal on a real Kestrel at 127.0.0.1, with its own throwaway SQLite file (or, in test.sh's PostgreSQL pass,
/// its own database in the test run's <see cref="PostgreSqlCluster"/>, keyed on the same path) and, unless the settings name
/// one, the Data Protection key file that belongs to that database (<see cref="TestPaths.KeyFilePath"/>), seeded with
/// the test run's shared key file (<see cref="TestKeyFiles.ProvideShared"/>). A key file path the settings name is
/// left to the portal, which creates a key file there when none exists.
/// </summary>
public sealed partial class PortalHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> settings;
    private readonly Action<IServiceCollection>? configureServices;
    private readonly bool ownsDatabase;

    public PortalHost(string? databasePath = null, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        ownsDatabase = databasePath is null;
        DatabasePath = databasePath ?? TestPaths.NewDatabasePath();
        var port = FreeLoopbackPort();
        BaseUrl = $"http://127.0.0.1:{port}";
        this.settings = new Dictionary<string, string?>
        {
            ["Portal:PublicUrl"] = BaseUrl,
            ["Database:ConnectionString"] = $"Data Source={DatabasePath}",
            ["DataProtection:CertificatePath"] = TestPaths.KeyFilePath(DatabasePath),
            ["Logging:LogLevel:Default"] = "Information",
        };
        if (PostgreSqlCluster.ChosenForHostTests && settings?.ContainsKey("Database:Provider") != true)
        {
            this.settings["Database:Provider"] = "PostgreSQL";
            this.settings["Database:ConnectionString"] = PostgreSqlCluster.Shared.DatabaseFor(DatabasePath);
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            this.settings[key] = value;
        }
        if (settings?.ContainsKey("DataProtection:CertificatePath") != true)
        {
            TestKeyFiles.ProvideShared(KeyFilePath);
        }
        this.configureServices = configureServices;
        UseKestrel(o => o.Listen(IPAddress.Loopback, port));
    }

    public string BaseUrl { get; }

    public string DatabasePath { get; }

    /// <summary>Whether this portal runs on PostgreSQL (test.sh's second pass, or settings that say so).</summary>
    public bool UsesPostgreSql => string.Equals(settings.GetValueOrDefault("Database:Provider") ?? "", "PostgreSQL", StringComparison.OrdinalIgnoreCase);

    /// <summary>The Data Protection key file this portal reads (and creates on first start).</summary>
    public string KeyFilePath => settings["DataProtection:CertificatePath"]!;

    public LogCapture Logs { get; } = new();

    /// <summary>Starts Kestrel (once) and returns the portal's address.</summary>
    public string Start()
    {
        StartServer();
        return BaseUrl;
    }

    /// <summary>The setup link the last start logged.</summary>
    public string SetupLink
    {
        get
        {
            Start();
            var line = Logs.Entries.Last(e => e.Message.Contains("/setup?token=", StringComparison.Ordinal)).Message;
            return SetupLinkPattern().Match(line).Value;
        }
    }

    /// <summary>The cookies <paramref name="client"/> holds for this portal, as "name=value" pairs.</summary>
    public IEnumerable<string> CookiesOf(HttpClient client) =>
        clientCookies.TryGetValue(client, out var jar) ? jar.GetCookies(new Uri(BaseUrl)).Select(c => $"{c.Name}={c.Value}") : [];

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<HttpClient, CookieContainer> clientCookies = [];

    /// <summary>An HTTP client with its own cookie jar that does not follow redirects, so tests see each step.</summary>
    public HttpClient CreateHttpClient(CookieContainer? cookies = null)
    {
        Start();
        var jar = cookies ?? new CookieContainer();
        var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = jar };
        var client = new HttpClient(handler) { BaseAddress = new Uri(BaseUrl) };
        clientCookies.Add(client, jar);
        return client;
    }

    /// <summary>A client that holds the setup cookie (it opened the setup link).</summary>
    public async Task<HttpClient> CreateSetupAdminClientAsync()
    {
        var client = CreateHttpClient();
        var response = await client.GetAsync(new Uri(SetupLink));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings));
        builder.ConfigureLogging(l => l.AddProvider(Logs));
        // Open Blazor circuits (browser tests) would otherwise hold a graceful shutdown for its full 30 seconds.
        builder.ConfigureServices(s => s.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2)));
        if (configureServices is not null)
        {
            builder.ConfigureServices(configureServices);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && ownsDatabase)
        {
            DeleteDatabase();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (ownsDatabase)
        {
            DeleteDatabase();
        }
    }

    private void DeleteDatabase()
    {
        if (UsesPostgreSql && settings.GetValueOrDefault("Database:ConnectionString") is { } connectionString)
        {
            PostgreSqlCluster.Shared.Drop(connectionString);
        }
        TestPaths.DeleteDatabase(DatabasePath);
    }

    // The portal must know its public URL (and so its port) before Kestrel binds. Ports are handed out from below the
    // kernel's ephemeral range, so no fake binding port 0 can take one between the check and Kestrel's bind.
    private static int nextPort = 20000 + Random.Shared.Next(0, 5000);

    public static int FreeLoopbackPort()
    {
        while (true)
        {
            var port = Interlocked.Increment(ref nextPort);
            if (port > 32000)
            {
                Interlocked.Exchange(ref nextPort, 20000);
                continue;
            }
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken by something else on the machine; try the next one.
            }
        }
    }

    [GeneratedRegex(@"https?://\S+/setup\?token=[A-Za-z0-9_\-%]+")]
    private static partial Regex SetupLinkPattern();
}
