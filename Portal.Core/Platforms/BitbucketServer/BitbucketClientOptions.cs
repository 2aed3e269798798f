using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Platforms.BitbucketServer;

/// <summary>Bitbucket's own settings: the <c>Bitbucket</c> section of appsettings.json (connections: <see cref="Connections.ServerConnectionOptions"/>).</summary>
public sealed class BitbucketClientOptions : IValidatableObject
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Bitbucket";

    /// <summary>
    /// How many pages of Bitbucket's user search (<see cref="BitbucketEndpoints.UserSearchPageSize"/> users each) the
    /// portal reads at most to find who signed in (default 50). The search matches names, display names and e-mail
    /// addresses, so a short name can match thousands of users.
    /// </summary>
    public int UserSearchMaxPages { get; set; } = 50;

    /// <summary>
    /// How long the portal reads Bitbucket's user search at most, over all its pages (default 30 seconds), so that a slow
    /// user directory cannot hold a sign-in until the reverse proxy in front of the portal gives up with its own error.
    /// </summary>
    public TimeSpan UserSearchTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (UserSearchMaxPages is < 1 or > 1000)
        {
            yield return new ValidationResult(
                $"Bitbucket:UserSearchMaxPages '{UserSearchMaxPages}' is out of range: set it between 1 and 1000 (default 50).",
                [nameof(UserSearchMaxPages)]);
        }
        if (UserSearchTimeout < TimeSpan.FromSeconds(1) || UserSearchTimeout > TimeSpan.FromMinutes(10))
        {
            yield return new ValidationResult(
                $"Bitbucket:UserSearchTimeout '{UserSearchTimeout}' is out of range: set it between 00:00:01 and 00:10:00 (default \"00:00:30\").",
                [nameof(UserSearchTimeout)]);
        }
    }
}
