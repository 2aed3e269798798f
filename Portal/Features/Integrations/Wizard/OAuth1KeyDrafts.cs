using System.Collections.Concurrent;
using Portal.Core.Platforms;

namespace Portal.Features.Integrations.Wizard;

/// <summary>
/// The OAuth 1 key pairs of drafts not yet saved, by draft (the wizard's draft id, or the integration an edit switches to
/// OAuth 1) and platform, kept in the server's memory so that a reload of the page shows the same Consumer Key and public
/// key the administrator may already have entered on the server. The private key never leaves the server; a restart
/// forgets them (the page then says that the keys are new).
/// </summary>
internal sealed class OAuth1KeyDrafts(TimeProvider clock)
{
    /// <summary>How long a draft's keys are kept after they were made: a draft lives in its browser tab, rarely longer than a working day.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private sealed record Entry(OAuth1Keys Keys, DateTimeOffset MadeAt);

    private readonly ConcurrentDictionary<(Guid DraftId, string Platform), Entry> entries = new();

    /// <summary>The draft's keys for <paramref name="platform"/>, made now if it has none yet.</summary>
    public OAuth1Keys GetOrCreate(Guid draftId, IOAuth1Platform platform)
    {
        var now = clock.GetUtcNow();
        foreach (var expired in entries.Where(e => e.Value.MadeAt + Lifetime <= now).Select(e => e.Key).ToList())
        {
            entries.TryRemove(expired, out _);
        }
        return entries.GetOrAdd((draftId, platform.Kind.Key), _ => new Entry(platform.NewOAuth1Keys(), now)).Keys;
    }

    /// <summary>Whether keys are kept for the draft (for any platform) and still within their lifetime.</summary>
    public bool Holds(Guid draftId)
    {
        var now = clock.GetUtcNow();
        return entries.Any(e => e.Key.DraftId == draftId && e.Value.MadeAt + Lifetime > now);
    }

    /// <summary>The draft was saved or started over: its keys are no longer needed here.</summary>
    public void Forget(Guid draftId)
    {
        foreach (var key in entries.Keys.Where(k => k.DraftId == draftId).ToList())
        {
            entries.TryRemove(key, out _);
        }
    }
}
