using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Core.Security;

namespace Portal.Core.Platforms.BitbucketServer;

/// <summary>The Bitbucket user behind an access token.</summary>
public sealed record BitbucketUser(long Id, string Name, string Slug, string DisplayName, string? Email, string? AvatarUrl);

/// <summary>Either the user, or why the portal could not tell who it is (a message for administrators).</summary>
/// <param name="Unreachable">Whether the failure was not reaching Bitbucket at all, rather than an answer that named nobody.</param>
public sealed record IdentityLookup(BitbucketUser? User, string? Failure, bool Unreachable = false)
{
    public bool Succeeded => User is not null;
}

/// <summary>
/// Finds out who an access token belongs to. Bitbucket has no "who am I" endpoint: every authenticated response carries
/// the login name in <c>X-AUSERNAME</c> (URL-encoded), and the user search is matched on that exact name, because the
/// slug may differ from it (names with <c>@</c>, renamed users).
/// </summary>
public sealed class BitbucketIdentityClient(HttpClient http)
{
    public async Task<IdentityLookup> IdentifyAsync(string baseUrl, Func<HttpRequestMessage, Task> authorize, CancellationToken cancellationToken)
    {
        try
        {
            using var propertiesRequest = new HttpRequestMessage(HttpMethod.Get, BitbucketEndpoints.ApplicationProperties(baseUrl));
            await authorize(propertiesRequest);
            using var properties = await http.SendAsync(propertiesRequest, cancellationToken);
            if (AuthenticatedRequestInterception.Describe(propertiesRequest, properties) is { } intercepted)
            {
                return Failed(intercepted);
            }
            if (!properties.Headers.TryGetValues("X-AUSERNAME", out var names) || names.FirstOrDefault() is not { Length: > 0 } encodedName)
            {
                return Failed(properties.StatusCode == HttpStatusCode.OK
                    ? "Bitbucket did not accept the access token it had just issued: it answered as if nobody were signed in. If the \"U2F & TOTP\" plugin is installed, enable its OAuth whitelist."
                    : $"Bitbucket answered HTTP {(int)properties.StatusCode} when the portal asked who signed in. Check that the base URL points at Bitbucket itself.");
            }
            var name = Uri.UnescapeDataString(encodedName);

            using var usersRequest = new HttpRequestMessage(HttpMethod.Get, BitbucketEndpoints.UsersFiltered(baseUrl, name));
            await authorize(usersRequest);
            using var users = await http.SendAsync(usersRequest, cancellationToken);
            if (!users.IsSuccessStatusCode)
            {
                return Failed($"Bitbucket answered HTTP {(int)users.StatusCode} to the user lookup for \"{name}\". The application link needs at least the Repositories: Read permission.");
            }
            var page = await JsonSerializer.DeserializeAsync<UserPage>(await users.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            var match = page?.Values?.FirstOrDefault(u => string.Equals(u.Name, name, StringComparison.Ordinal))
                ?? page?.Values?.FirstOrDefault(u => string.Equals(u.Name, name, StringComparison.OrdinalIgnoreCase));
            if (match?.Id is null)
            {
                return Failed($"Bitbucket says \"{name}\" signed in, but its user search does not list that user. Check that the user is active and licensed in Bitbucket.");
            }
            return new IdentityLookup(new BitbucketUser(
                match.Id.Value, match.Name ?? name, match.Slug ?? "", string.IsNullOrWhiteSpace(match.DisplayName) ? name : match.DisplayName,
                string.IsNullOrWhiteSpace(match.EmailAddress) ? null : match.EmailAddress, AbsoluteAvatarUrl(baseUrl, match.AvatarUrl)), null);
        }
        catch (HttpRequestException e)
        {
            return new IdentityLookup(null, LinkLocalAddressRefusedException.FindIn(e)?.Message
                ?? $"The portal could not reach Bitbucket to find out who signed in ({e.Message}). Try again; if it persists, check the integration's base URL.", Unreachable: true);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new IdentityLookup(null, "Bitbucket did not answer in time when the portal asked who signed in. Try again in a moment.", Unreachable: true);
        }
        catch (JsonException)
        {
            return Failed("Bitbucket's user search answered with something that is not its JSON. A proxy or login page may be in the way.");
        }
    }

    public static Func<HttpRequestMessage, Task> Bearer(string accessToken) => request =>
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return Task.CompletedTask;
    };

    /// <summary>Bitbucket returns avatar URLs either absolute or relative to its host.</summary>
    internal static string? AbsoluteAvatarUrl(string baseUrl, string? avatarUrl)
    {
        if (string.IsNullOrWhiteSpace(avatarUrl))
        {
            return null;
        }
        if (Uri.TryCreate(avatarUrl, UriKind.Absolute, out var absolute) && (absolute.Scheme == Uri.UriSchemeHttps || absolute.Scheme == Uri.UriSchemeHttp))
        {
            return absolute.ToString();
        }
        return avatarUrl.StartsWith('/') && Uri.TryCreate(new Uri(baseUrl), avatarUrl, out var relative) ? relative.ToString() : null;
    }

    private static IdentityLookup Failed(string message) => new(null, message);

    private sealed class UserPage
    {
        [JsonPropertyName("values")] public List<UserJson>? Values { get; set; }
    }

    private sealed class UserJson
    {
        [JsonPropertyName("id")] public long? Id { get; set; }
        [JsonPropertyName("name")] public string? Name { get; set; }
        [JsonPropertyName("slug")] public string? Slug { get; set; }
        [JsonPropertyName("displayName")] public string? DisplayName { get; set; }
        [JsonPropertyName("emailAddress")] public string? EmailAddress { get; set; }
        [JsonPropertyName("avatarUrl")] public string? AvatarUrl { get; set; }
    }
}
