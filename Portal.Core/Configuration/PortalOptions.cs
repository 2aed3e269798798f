using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Portal.Core.Configuration;

/// <summary>The operator's settings under the <c>Portal</c> section of appsettings.json.</summary>
public sealed class PortalOptions : IValidatableObject
{
    public const string Section = "Portal";

    /// <summary>The address users reach the portal at; callback URLs are built from it, never from request headers.</summary>
    [Required(ErrorMessage = "Portal:PublicUrl is required: set it to the address users open the portal at, e.g. https://portal.example.com.")]
    public string PublicUrl { get; set; } = "";

    /// <summary>How many wrong setup links one client may try per minute before it is told to wait.</summary>
    [Range(1, 1000, ErrorMessage = "Portal:SetupLinkAttemptsPerMinute must be between 1 and 1000.")]
    public int SetupLinkAttemptsPerMinute { get; set; } = 5;

    /// <summary>
    /// The reverse proxies (IP addresses or CIDR networks) whose X-Forwarded-For and X-Forwarded-Proto headers the portal
    /// believes; empty: it believes nobody's, not even a proxy on loopback.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>The public URL without a trailing slash.</summary>
    public string NormalizedPublicUrl => PublicUrl.Trim().TrimEnd('/');

    /// <summary>Whether users reach the portal over https; then every cookie is Secure and plain http is redirected.</summary>
    public bool UsesHttps => Uri.TryCreate(PublicUrl.Trim(), UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps;

    /// <summary>The valid entries of <see cref="TrustedProxies"/> as networks (a single address is a network of one).</summary>
    public IReadOnlyList<IPNetwork> TrustedProxyNetworks =>
        TrustedProxies.Select(entry => TrustedProxyEntry.TryParse(entry, out var network, out _) ? network : (IPNetwork?)null)
            .OfType<IPNetwork>().ToList();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(PublicUrl.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            yield return new ValidationResult(
                $"Portal:PublicUrl '{PublicUrl}' is not an absolute http(s) URL: set it to the address users open the portal at, e.g. https://portal.example.com.",
                [nameof(PublicUrl)]);
        }
        else if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            yield return new ValidationResult(
                $"Portal:PublicUrl '{PublicUrl}' must not contain a query, fragment or user name.", [nameof(PublicUrl)]);
        }
        else if (uri.AbsolutePath.Trim('/').Length > 0)
        {
            yield return new ValidationResult(
                $"Portal:PublicUrl '{PublicUrl}' has a path ({uri.AbsolutePath}): the portal must be served at the root of its address, " +
                "because its pages, Callback URLs and cookies start at '/'. Give it a host name or port of its own (e.g. https://portal.example.com) " +
                "and point the reverse proxy's location / at it.", [nameof(PublicUrl)]);
        }
        else if (!System.Text.Ascii.IsValid(uri.Host))
        {
            // Browsers send the ASCII (punycode) form; Callback URLs and redirects built from another form would not
            // match what the server registered, and response headers cannot carry it.
            yield return new ValidationResult(
                $"Portal:PublicUrl '{PublicUrl}' has a host name outside ASCII: write it in the ASCII form browsers use, " +
                $"{uri.Scheme}://{uri.IdnHost}{(uri.IsDefaultPort ? "" : $":{uri.Port}")}.", [nameof(PublicUrl)]);
        }
        for (var i = 0; i < TrustedProxies.Count; i++)
        {
            if (!TrustedProxyEntry.TryParse(TrustedProxies[i], out _, out var problem))
            {
                yield return new ValidationResult($"Portal:TrustedProxies:{i} {problem}", [nameof(TrustedProxies)]);
            }
        }
    }
}

/// <summary>The database settings under the <c>Database</c> section.</summary>
public sealed class DatabaseOptions : IValidatableObject
{
    public const string Section = "Database";

    /// <summary>The embedded default: one file next to the portal, one portal process.</summary>
    public const string Sqlite = "Sqlite";

    /// <summary>A PostgreSQL server, which several portal instances can share.</summary>
    public const string PostgreSql = "PostgreSQL";

    public string Provider { get; set; } = Sqlite;

    /// <summary>The connection string; a relative SQLite <c>Data Source</c> is resolved against the portal's content root.</summary>
    public string ConnectionString { get; set; } = "Data Source=data/portal.db";

    /// <summary>Whether <see cref="Provider"/> names PostgreSQL (in any letter case).</summary>
    public bool UsesPostgreSql => string.Equals(Provider?.Trim(), PostgreSql, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The SQLite file's absolute path (a relative one is taken against <paramref name="contentRootPath"/>), or null for
    /// PostgreSQL, in-memory databases and <c>file:</c> URIs.
    /// </summary>
    public string? SqliteFilePath(string contentRootPath) =>
        SqliteDataSource() is { } builder && builder.Mode != Microsoft.Data.Sqlite.SqliteOpenMode.Memory && builder.DataSource is { Length: > 0 } dataSource
            && dataSource != ":memory:" && !dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
            ? Path.GetFullPath(dataSource, contentRootPath)
            : null;

    /// <summary>Which database this is, for the operator's eyes: the SQLite file, or PostgreSQL's host and database (never the password).</summary>
    public string Describe(string contentRootPath)
    {
        if (UsesPostgreSql)
        {
            var postgreSql = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString);
            return $"the PostgreSQL database \"{postgreSql.Database ?? postgreSql.Username}\" on {postgreSql.Host}:{postgreSql.Port}";
        }
        if (SqliteFilePath(contentRootPath) is { } path)
        {
            return $"the SQLite database {path}";
        }
        return SqliteDataSource() is { } builder && (builder.Mode == Microsoft.Data.Sqlite.SqliteOpenMode.Memory || builder.DataSource is ":memory:" or "")
            ? "an in-memory SQLite database"
            : $"the SQLite database {SqliteDataSource()?.DataSource}";
    }

    private Microsoft.Data.Sqlite.SqliteConnectionStringBuilder? SqliteDataSource() =>
        UsesPostgreSql || !IsSqliteConnectionString(ConnectionString) ? null : new(ConnectionString);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!UsesPostgreSql && !string.Equals(Provider?.Trim(), Sqlite, StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult(
                $"Database:Provider '{Provider}' is not supported: use \"Sqlite\" (one portal, a file next to it) or \"PostgreSQL\" (one or more portals sharing a PostgreSQL database).",
                [nameof(Provider)]);
        }
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult(UsesPostgreSql
                ? "Database:ConnectionString is empty: set it to e.g. \"Host=db.example.com;Database=portal;Username=portal;Password=...\"."
                : "Database:ConnectionString is empty: set it to e.g. \"Data Source=data/portal.db\".", [nameof(ConnectionString)]);
        }
        else if (UsesPostgreSql && !IsPostgreSqlConnectionString(ConnectionString, out var problem))
        {
            yield return new ValidationResult(
                $"Database:ConnectionString is not a PostgreSQL connection string ({problem}): set it to e.g. \"Host=db.example.com;Database=portal;Username=portal;Password=...\".",
                [nameof(ConnectionString)]);
        }
        else if (!UsesPostgreSql && !IsSqliteConnectionString(ConnectionString))
        {
            yield return new ValidationResult(
                "Database:ConnectionString is not a SQLite connection string (a keyword is unknown, such as Host= of a PostgreSQL one, or a value is malformed): " +
                "set it to e.g. \"Data Source=data/portal.db\", or set Database:Provider to \"PostgreSQL\" for a PostgreSQL connection string.",
                [nameof(ConnectionString)]);
        }
    }

    private static bool IsSqliteConnectionString(string connectionString)
    {
        try
        {
            _ = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            return false;
        }
    }

    private static bool IsPostgreSqlConnectionString(string connectionString, out string problem)
    {
        try
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            problem = string.IsNullOrWhiteSpace(builder.Host) ? "it names no Host" : "";
            return problem.Length == 0;
        }
        catch (ArgumentException)
        {
            // Npgsql's message repeats the part it could not read, which may be a piece of the password.
            problem = "it could not be read: a keyword is unknown or a value is malformed. Quote a value that contains ';' or '=' in single quotes, e.g. Password='a;b=c'";
            return false;
        }
    }
}
