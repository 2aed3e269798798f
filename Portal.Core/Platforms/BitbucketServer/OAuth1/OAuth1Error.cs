namespace Portal.Core.Platforms.BitbucketServer.OAuth1;

/// <summary>A failed OAuth 1.0a step: its kind and a message for people that names the cause and the fix.</summary>
/// <param name="Kind">What went wrong.</param>
/// <param name="Message">A readable sentence naming cause and fix; it never contains a secret.</param>
public sealed record OAuth1Error(OAuth1ErrorKind Kind, string Message)
{
    /// <summary>The raw <c>oauth_problem</c> Bitbucket reported, if any.</summary>
    public string? Problem { get; init; }

    /// <summary>The HTTP status of Bitbucket's answer, if there was one.</summary>
    public int? StatusCode { get; init; }

    /// <summary>For <see cref="OAuth1ErrorKind.TimestampRefused"/>: the portal's clock when the answer arrived.</summary>
    public DateTimeOffset? PortalClock { get; init; }

    /// <summary>For <see cref="OAuth1ErrorKind.TimestampRefused"/>: Bitbucket's clock, when its answer revealed it.</summary>
    public DateTimeOffset? ServerClock { get; init; }
}
