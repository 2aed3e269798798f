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

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (UserSearchMaxPages is < 1 or > 1000)
        {
            yield return new ValidationResult(
                $"Bitbucket:UserSearchMaxPages '{UserSearchMaxPages}' is out of range: set it between 1 and 1000 (default 50).",
                [nameof(UserSearchMaxPages)]);
        }
    }
}
