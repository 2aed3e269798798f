using System.ComponentModel.DataAnnotations;

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

    /// <summary>The public URL without a trailing slash.</summary>
    public string NormalizedPublicUrl => PublicUrl.Trim().TrimEnd('/');

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
    }
}

/// <summary>The database settings under the <c>Database</c> section.</summary>
public sealed class DatabaseOptions : IValidatableObject
{
    public const string Section = "Database";

    /// <summary>The only provider this release ships with.</summary>
    public const string Sqlite = "Sqlite";

    public string Provider { get; set; } = Sqlite;

    /// <summary>The connection string; a relative SQLite <c>Data Source</c> is resolved against the portal's content root.</summary>
    public string ConnectionString { get; set; } = "Data Source=data/portal.db";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.Equals(Provider, Sqlite, StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult(
                $"Database:Provider '{Provider}' is not supported: use \"Sqlite\".", [nameof(Provider)]);
        }
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult(
                "Database:ConnectionString is empty: set it to e.g. \"Data Source=data/portal.db\".", [nameof(ConnectionString)]);
        }
    }
}
