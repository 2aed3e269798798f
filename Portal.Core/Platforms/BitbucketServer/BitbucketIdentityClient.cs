using Portal.Core.Connections;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Portal.Core.Security;

namespace Portal.Core.Platforms.BitbucketServer;

/// <summary>
/// Finds out who an access token belongs to. Bitbucket has no "who am I" endpoint: every authenticated response carries
/// the user's numeric id in <c>X-AUSERID</c> and login name in <c>X-AUSERNAME</c> (encoded like Java's URLEncoder). The
/// user's details come from the user search for that name, picked by the id, because the search is a substring match
/// on name, display name and e-mail, and the slug may differ from the name (names with <c>@</c>, renamed users).
/// </summary>
public sealed class BitbucketIdentityClient(HttpClient http, IOptions<BitbucketClientOptions> options)
{
    /// <summary>How long the first call (who the token belongs to) may take; the user search has its own, overall limit.</summary>
    internal static readonly TimeSpan WhoAmITimeout = TimeSpan.FromSeconds(15);

    public async Task<IdentityLookup> IdentifyAsync(string baseUrl, Func<HttpRequestMessage, Task> authorize, CancellationToken cancellationToken)
    {
        try
        {
            using var propertiesRequest = new HttpRequestMessage(HttpMethod.Get, BitbucketEndpoints.ApplicationProperties(baseUrl));
            await authorize(propertiesRequest);
            using var whoAmIDeadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            whoAmIDeadline.CancelAfter(WhoAmITimeout);
            using var properties = await http.SendAsync(propertiesRequest, whoAmIDeadline.Token);
            if (AuthenticatedRequestInterception.Describe(propertiesRequest, properties) is { } intercepted)
            {
                return Failed(intercepted);
            }
            if (!properties.Headers.TryGetValues("X-AUSERNAME", out var names) || names.FirstOrDefault() is not { Length: > 0 } encodedName)
            {
                return properties.StatusCode == HttpStatusCode.OK
                    ? Failed("Bitbucket did not accept the access token it had just issued: it answered as if nobody were signed in (no X-AUSERNAME header). " +
                        "If the \"U2F & TOTP\" plugin is installed, enable its OAuth whitelist. Otherwise check that no proxy in front of Bitbucket removes the Authorization header " +
                        "from the portal's requests or the X-AUSERNAME header from Bitbucket's answers, and that Bitbucket was not started with atlassian.oauth2.provider.enable.access.tokens=false.")
                    : await RefusedAsync(properties, "when the portal asked who signed in", cancellationToken);
            }
            var name = DecodeUserName(encodedName);
            var id = properties.Headers.TryGetValues("X-AUSERID", out var ids)
                && long.TryParse(ids.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : (long?)null;
            return await SearchAsync(baseUrl, authorize, name, id, cancellationToken);
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
        catch (InvalidDataException)
        {
            return Failed("Bitbucket's answer could not be decompressed when the portal asked who signed in: something between the portal and " +
                "Bitbucket (a proxy) damages compressed answers or labels them with the wrong Content-Encoding. Check the proxy's compression settings.");
        }
        catch (IOException)
        {
            return new IdentityLookup(null, "The connection to Bitbucket broke off while the portal was finding out who signed in. Try again; if it " +
                "keeps happening, check the proxy or load balancer between the portal and Bitbucket.", Unreachable: true);
        }
        catch (JsonException)
        {
            return Failed("Bitbucket's user search answered with something that is not its JSON, so the portal could not find out who signed in. Check that the base URL points at Bitbucket itself and that no proxy or login page answers requests to /rest/api/ in its place.");
        }
    }

    /// <summary>
    /// Decodes <c>X-AUSERNAME</c> the way Bitbucket encodes it (Java's URLEncoder): <c>+</c> is a space, as is
    /// <c>%20</c>; a literal plus arrives as <c>%2B</c>.
    /// </summary>
    internal static string DecodeUserName(string encoded) => WebUtility.UrlDecode(encoded);

    /// <summary>
    /// Reads the user search page by page until the user turns up: by <paramref name="id"/> when Bitbucket sent
    /// <c>X-AUSERID</c>, otherwise by the exact name. The search's order is not documented, so every page may matter.
    /// </summary>
    private async Task<IdentityLookup> SearchAsync(string baseUrl, Func<HttpRequestMessage, Task> authorize, string name, long? id, CancellationToken cancellationToken)
    {
        var maxPages = options.Value.UserSearchMaxPages;
        var timeout = options.Value.UserSearchTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var start = 0;
        var pages = 0;
        var listed = 0;
        var exhausted = false;
        var sameNameOtherIds = new List<long>();
        var caseInsensitiveMatches = new List<UserJson>();
        try
        {
            while (pages < maxPages)
            {
                using var usersRequest = new HttpRequestMessage(HttpMethod.Get, BitbucketEndpoints.UsersFiltered(baseUrl, name, start));
                await authorize(usersRequest);
                using var users = await http.SendAsync(usersRequest, deadline.Token);
                if (AuthenticatedRequestInterception.Describe(usersRequest, users) is { } intercepted)
                {
                    return Failed(intercepted);
                }
                if (users.StatusCode == HttpStatusCode.NotFound && pages == 0
                    && await FindBySlugAsync(baseUrl, authorize, name, id, deadline.Token) is { } bySlug)
                {
                    // A server without the user search that still serves users by slug (the name is the slug for most users).
                    return new IdentityLookup(bySlug, null);
                }
                if (!users.IsSuccessStatusCode)
                {
                    return await RefusedAsync(users, $"to the user search for \"{name}\"", deadline.Token);
                }
                var page = await JsonSerializer.DeserializeAsync<UserPage>(await users.Content.ReadAsStreamAsync(deadline.Token), LenientNumbers, deadline.Token);
                pages++;
                var values = page?.Values ?? [];
                listed += values.Count;
                foreach (var user in values.Where(u => u.Id is not null))
                {
                    if (id is { } wanted ? user.Id == wanted : string.Equals(user.Name, name, StringComparison.Ordinal))
                    {
                        return new IdentityLookup(ToUser(baseUrl, user, name), null);
                    }
                    if (string.Equals(user.Name, name, StringComparison.OrdinalIgnoreCase))
                    {
                        caseInsensitiveMatches.Add(user);
                        if (string.Equals(user.Name, name, StringComparison.Ordinal))
                        {
                            sameNameOtherIds.Add(user.Id!.Value);
                        }
                    }
                }
                // A page without a next start that moves forward ends the search, so a broken answer cannot loop; a page that
                // leaves out isLastPage goes on while its nextPageStart moves forward.
                if (page?.IsLastPage == true || page?.NextPageStart is not { } next || next <= start || values.Count == 0)
                {
                    exhausted = true;
                    break;
                }
                start = next;
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var soFar = $"{listed} {(listed == 1 ? "user" : "users")} on {pages} {(pages == 1 ? "page" : "pages")}";
            return Failed($"Bitbucket's user search for \"{name}\" took longer than Bitbucket:UserSearchTimeout ({ConnectionText.Seconds(timeout)}) " +
                $"to find who signed in; the portal had read {soFar} by then. The token was accepted: only finding the user's details was too slow. " +
                "A slow user directory behind Bitbucket (LDAP, Crowd) or a short name that matches much of the directory causes this. Fix: " +
                "try again; if it persists, check how fast Bitbucket's user directory answers, or raise Bitbucket:UserSearchTimeout in " +
                "appsettings.json (and the reverse proxy's read timeout with it).");
        }

        if (id is null && exhausted && caseInsensitiveMatches.Count == 1)
        {
            // Without X-AUSERID the name is all there is; one match apart from case is still that user.
            return new IdentityLookup(ToUser(baseUrl, caseInsensitiveMatches[0], name), null);
        }
        var checkedUsers = $"{listed} {(listed == 1 ? "user" : "users")} on {pages} {(pages == 1 ? "page" : "pages")} checked";
        if (!exhausted)
        {
            var whom = id is { } stopId ? $"the user with id {stopId}" : $"a user named exactly \"{name}\"";
            return Failed($"Bitbucket's user search for \"{name}\" matches more users than the portal reads: it stopped after " +
                $"Bitbucket:UserSearchMaxPages ({maxPages}) pages ({checkedUsers}) without finding {whom}. The search matches names, display " +
                "names and e-mail addresses, so a short name can match much of the directory. Fix: raise Bitbucket:UserSearchMaxPages in " +
                "appsettings.json and sign in again.");
        }
        if (id is { } missingId)
        {
            var otherAccount = sameNameOtherIds.Count > 0
                ? $" The search does list a user named \"{name}\" with another id ({string.Join(", ", sameNameOtherIds)}): that is a different Bitbucket account."
                : "";
            return Failed($"Bitbucket says \"{name}\" (user id {missingId}) signed in, but its user search for \"{name}\" does not list a user with " +
                $"that id ({checkedUsers}).{otherAccount} The portal does not sign in someone whose details Bitbucket's user directory does not " +
                "confirm, and never picks another user by name. Fix: in Bitbucket > Administration > Users, check that this user is active, " +
                "licensed (Bitbucket User permission) and visible in the user directory, then sign in again.");
        }
        if (caseInsensitiveMatches.Count > 1)
        {
            return Failed($"Bitbucket says \"{name}\" signed in but sent no X-AUSERID, and its user search lists several users whose names differ " +
                $"from it only in case ({string.Join(", ", caseInsensitiveMatches.Select(u => $"\"{u.Name}\" id {u.Id}"))}) and none exactly, so the " +
                "portal cannot tell which one it is. Fix: check the user names in Bitbucket > Administration > Users, or a proxy that changes headers.");
        }
        return Failed($"Bitbucket says \"{name}\" signed in, but its user search does not list that user ({checkedUsers}). Check that the user is active and licensed in Bitbucket.");
    }

    private static readonly JsonSerializerOptions LenientNumbers = new() { NumberHandling = JsonNumberHandling.AllowReadingFromString };

    /// <summary><c>GET /users/{slug}</c> with the name as the slug; the user when it is the one who signed in, else null.</summary>
    private async Task<ExternalUser?> FindBySlugAsync(string baseUrl, Func<HttpRequestMessage, Task> authorize, string name, long? id, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, BitbucketEndpoints.User(baseUrl, name));
        await authorize(request);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode || AuthenticatedRequestInterception.Describe(request, response) is not null)
        {
            return null;
        }
        try
        {
            var user = await JsonSerializer.DeserializeAsync<UserJson>(await response.Content.ReadAsStreamAsync(cancellationToken), LenientNumbers, cancellationToken);
            var matches = user?.Id is not null && (id is { } wanted ? user.Id == wanted : string.Equals(user.Name, name, StringComparison.Ordinal));
            return matches ? ToUser(baseUrl, user!, name) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ExternalUser ToUser(string baseUrl, UserJson match, string name) => new(
        match.Id!.Value, match.Name ?? name, match.Slug ?? "", string.IsNullOrWhiteSpace(match.DisplayName) ? match.Name ?? name : match.DisplayName,
        string.IsNullOrWhiteSpace(match.EmailAddress) ? null : match.EmailAddress, AbsoluteAvatarUrl(baseUrl, match.AvatarUrl));

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
        // Root-relative paths are the host's (they carry any context path themselves); other relative paths are the base URL's.
        var against = avatarUrl.StartsWith('/') ? new Uri(baseUrl) : new Uri(baseUrl.TrimEnd('/') + "/");
        return Uri.TryCreate(against, avatarUrl, out var relative) && (relative.Scheme == Uri.UriSchemeHttps || relative.Scheme == Uri.UriSchemeHttp)
            ? relative.ToString() : null;
    }

    private static IdentityLookup Failed(string message) => new(null, message);

    /// <param name="asked">What the portal asked, to end "Bitbucket answered HTTP 503 …".</param>
    private static async Task<IdentityLookup> RefusedAsync(HttpResponseMessage response, string asked, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var retryAfter = response.Headers.RetryAfter?.Delta is { } delta ? $", retry after {ConnectionText.Seconds(delta)}" : "";
        var message = status switch
        {
            429 => $"Bitbucket is limiting the requests from the portal's address (HTTP 429{retryAfter}) {asked}. Sign in again in a " +
                "minute; if it keeps happening, add the portal's address to the exemptions in Bitbucket > Administration > Rate limiting.",
            >= 500 => $"Bitbucket answered HTTP {status} {asked}: Bitbucket or its proxy has a problem (a user directory such as LDAP or " +
                "Crowd that fails, or a node that is restarting). Sign in again in a moment; if it keeps happening, look at Bitbucket's logs.",
            401 or 403 => $"Something answered HTTP {status} {asked}, with the access token Bitbucket had just issued. Bitbucket itself " +
                "treats a token it does not accept as nobody signed in, so a proxy or gateway in front of Bitbucket probably refuses requests " +
                "with an Authorization header: let them through to /rest/api/.",
            _ => $"Bitbucket answered HTTP {status} {asked}. Check that the base URL points at Bitbucket itself and that no proxy answers /rest/api/ in its place.",
        };
        // As UTF-8 whatever charset the answer names: a proxy's page may name one .NET does not know ("utf8").
        var body = await ResponseBody.ReadStartAsync(response.Content, RefusedAnswer.MaxBodyLength, cancellationToken);
        var wwwAuthenticate = response.Headers.NonValidated.TryGetValues("WWW-Authenticate", out var values) ? values.ToList() : [];
        var refused = new RefusedAnswer((int)response.StatusCode, wwwAuthenticate,
            body, response.Headers.Date);
        return new IdentityLookup(null, message, Refused: refused) { ServerTrouble = status is 429 or >= 500 };
    }

    /// <summary>One page of a paged Bitbucket REST answer.</summary>
    private sealed class UserPage
    {
        [JsonPropertyName("values")] public List<UserJson>? Values { get; set; }
        [JsonPropertyName("isLastPage")] public bool? IsLastPage { get; set; }
        [JsonPropertyName("nextPageStart")] public int? NextPageStart { get; set; }
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
