using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Portal.Tests.Fakes;

/// <summary>
/// Bitbucket's user directory as shared/docs/bitbucket-protocol.md §2 and §8 describe it: <c>users?filter=</c> is a
/// paged substring match on name, display name and e-mail (default page 25, <c>start</c>/<c>limit</c>, <c>isLastPage</c>,
/// <c>nextPageStart</c>) in an order that is not by name; authenticated answers carry <c>X-AUSERID</c> and
/// <c>X-AUSERNAME</c>, the latter encoded like Java's URLEncoder (a space becomes <c>+</c>).
/// </summary>
public sealed partial class BitbucketFake
{
    /// <summary>The page size when the request names no <c>limit</c>.</summary>
    public const int DefaultUserSearchLimit = 25;

    private readonly HashSet<long> _hiddenFromSearch = [];
    private readonly List<FakeUserSearch> _userSearches = [];
    private volatile bool _sendsUserIdHeader = true;
    private int _userSearchMaxLimit = 1000;

    /// <summary>
    /// Whether authenticated answers carry <c>X-AUSERID</c> (default true, as Bitbucket 8 does); false stands for a
    /// server that sends only <c>X-AUSERNAME</c>, whose version is unconfirmed.
    /// </summary>
    public bool SendsUserIdHeader { get => _sendsUserIdHeader; set => _sendsUserIdHeader = value; }

    /// <summary>What answers the user search in Bitbucket's place (a proxy's redirect or page), or null for Bitbucket itself.</summary>
    public IResult? UserSearchStandIn { get => _userSearchStandIn; set => _userSearchStandIn = value; }

    private volatile IResult? _userSearchStandIn;

    /// <summary>The largest page the user search serves: a larger <c>limit</c> is cut down to it (default 1000).</summary>
    public int UserSearchMaxLimit { get => Volatile.Read(ref _userSearchMaxLimit); set => Volatile.Write(ref _userSearchMaxLimit, value); }

    /// <summary>Every user search the fake answered, in order.</summary>
    public IReadOnlyList<FakeUserSearch> UserSearches
    {
        get
        {
            lock (_oauth)
            {
                return [.. _userSearches];
            }
        }
    }

    /// <summary>
    /// The user can still sign in, but the user search no longer lists them (a directory entry the search does not
    /// show, a user deactivated between the token and the lookup).
    /// </summary>
    public void HideFromUserSearch(long id)
    {
        lock (_oauth)
        {
            _hiddenFromSearch.Add(id);
        }
    }

    /// <summary>
    /// An access token for <paramref name="user"/> (added when unknown), as if they had just completed an OAuth 2
    /// sign-in: for tests of the REST side that need no authorize round trip.
    /// </summary>
    public string IssueAccessTokenFor(BitbucketFakeUser user)
    {
        lock (_oauth)
        {
            _users.TryAdd(user.Id, user);
            return IssueTokens("direct-client", user.Id, "REPO_READ", "direct-" + BitbucketOAuthClient.RandomHex(8)).AccessToken!;
        }
    }

    /// <summary>
    /// The request is made by <paramref name="user"/>: the answer, whatever its status, carries <c>X-AUSERNAME</c> (the
    /// login, encoded like Java's URLEncoder) and <c>X-AUSERID</c> (unless <see cref="SendsUserIdHeader"/> is off).
    /// </summary>
    private void MarkAuthenticated(HttpContext context, BitbucketFakeUser user)
    {
        context.Items[AuthenticatedUserItem] = user;
        context.Response.Headers["X-AUSERNAME"] = JavaUrlEncode(user.Name);
        if (SendsUserIdHeader)
        {
            context.Response.Headers["X-AUSERID"] = user.Id.ToString(CultureInfo.InvariantCulture);
        }
        context.Response.Headers.Vary = "X-AUSERNAME,X-AUSERID,Cookie,Accept-Encoding";
    }

    /// <summary>
    /// <c>java.net.URLEncoder.encode(value, UTF-8)</c>: letters, digits and <c>.-*_</c> stay, a space becomes <c>+</c>,
    /// every other byte of the UTF-8 form becomes <c>%XX</c> (upper-case hex).
    /// </summary>
    public static string JavaUrlEncode(string value)
    {
        var encoded = new StringBuilder(value.Length * 3);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '*' or '_')
            {
                encoded.Append(c);
            }
            else if (c == ' ')
            {
                encoded.Append('+');
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return encoded.ToString();
    }

    private IResult SearchUsers(HttpContext context, string? filter, int? avatarSize, int? start, int? limit)
    {
        Interlocked.Increment(ref _userSearchRequests);
        if (UserSearchStandIn is { } standIn)
        {
            return standIn;
        }
        var caller = AuthenticatedUser(context);
        var first = Math.Max(start ?? 0, 0);
        var size = Math.Clamp(limit ?? DefaultUserSearchLimit, 1, Math.Max(UserSearchMaxLimit, 1));
        lock (_oauth)
        {
            _userSearches.Add(new FakeUserSearch(filter, first, size, caller?.Id));
        }
        if (caller is null)
        {
            return NotPermitted();
        }
        List<BitbucketFakeUser> matches;
        lock (_oauth)
        {
            // Bitbucket documents no order; the fake sorts by display name, so the login name says nothing about the page.
            matches = _users.Values
                .Where(u => !_hiddenFromSearch.Contains(u.Id))
                .Where(u => string.IsNullOrEmpty(filter)
                    || u.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)
                    || u.DisplayName.Contains(filter, StringComparison.OrdinalIgnoreCase)
                    || (u.EmailAddress?.Contains(filter, StringComparison.OrdinalIgnoreCase) ?? false))
                .OrderBy(u => u.DisplayName, StringComparer.OrdinalIgnoreCase)
                .ThenBy(u => u.Id)
                .ToList();
        }
        var page = matches.Skip(first).Take(size).ToList();
        var isLastPage = first + page.Count >= matches.Count;
        var body = new Dictionary<string, object>
        {
            ["size"] = page.Count,
            ["limit"] = size,
            ["isLastPage"] = isLastPage,
            ["start"] = first,
            ["values"] = page.Select(u => UserJson(context, u, avatarSize)).ToList(),
        };
        if (!isLastPage)
        {
            body["nextPageStart"] = first + page.Count;
        }
        return Results.Json(body);
    }

    private IResult GetUser(HttpContext context, string slug, int? avatarSize)
    {
        if (AuthenticatedUser(context) is null)
        {
            return NotPermitted();
        }
        BitbucketFakeUser? user;
        lock (_oauth)
        {
            user = _users.Values.FirstOrDefault(u => string.Equals(u.Slug, slug, StringComparison.OrdinalIgnoreCase));
        }
        return user is null
            ? Results.Json(BitbucketErrors($"User {slug} does not exist.", "com.atlassian.bitbucket.user.NoSuchUserException"), statusCode: 404)
            : Results.Json(UserJson(context, user, avatarSize));
    }

    private static Dictionary<string, object> UserJson(HttpContext context, BitbucketFakeUser user, int? avatarSize)
    {
        var request = context.Request;
        var json = new Dictionary<string, object>
        {
            ["name"] = user.Name,
            ["active"] = true,
            ["displayName"] = user.DisplayName,
            ["id"] = user.Id,
            ["slug"] = user.Slug,
            ["type"] = "NORMAL",
            ["links"] = new { self = new[] { new { href = $"{request.Scheme}://{request.Host}{request.PathBase}/users/{user.Slug}" } } },
        };
        if (user.EmailAddress is not null)
        {
            json["emailAddress"] = user.EmailAddress;
        }
        if (avatarSize is { } avatar)
        {
            json["avatarUrl"] = user.AvatarPath ?? $"{request.PathBase}/users/{user.Slug}/avatar.png?s={avatar}";
        }
        return json;
    }

    private static IResult NotPermitted() => Results.Json(
        BitbucketErrors("You are not permitted to access this resource", "com.atlassian.bitbucket.AuthorisationException"), statusCode: 401);

    private static object BitbucketErrors(string message, string exceptionName) =>
        new { errors = new[] { new { context = (string?)null, message, exceptionName } } };
}

/// <summary>A user search the fake answered: the filter, the page asked for (limit after the fake's cap) and who asked.</summary>
public sealed record FakeUserSearch(string? Filter, int Start, int Limit, long? AuthenticatedUserId);
