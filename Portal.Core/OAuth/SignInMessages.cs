using Portal.Core.Accounts;

namespace Portal.Core.OAuth;

/// <summary>What the portal tells someone after a sign-in that worked, or after signing out.</summary>
public static class SignInMessages
{
    /// <summary>After signing out.</summary>
    public const string SignedOut = "You are signed out.";

    /// <summary>
    /// For the page watching a verification whose callback ended in a failure of the portal itself: the browser did come
    /// back, so the redirect URL is not the cause.
    /// </summary>
    public static string NotFinished(Exception failure, bool requestEnded) =>
        Persistence.DatabaseFailure.Describe(failure) is { } database
            ? $"The browser came back, but the portal could not finish the verification in its database. {database} Reload this page to see the integration's state now, then verify again if it is needed."
            : requestEnded
                ? "The browser came back, but its request ended (the tab was closed, or the reverse proxy in front of the portal gave up waiting) before the portal had finished. Reload this page to see the integration's state now, then verify again if it is needed."
                : $"The browser came back, but the portal failed while finishing ({failure.GetType().Name}); the portal's log has the details. Reload this page to see the integration's state now, then verify again if it is needed.";

    private const string SetupModeOver = "Setup Mode is over: setup links no longer work, and admin pages need an administrator's sign-in.";

    /// <summary>
    /// The welcome for a sign-in that ended Setup Mode, naming whether it made <paramref name="user"/> the first
    /// administrator; null for any other sign-in, which needs no message.
    /// </summary>
    public static string? Welcome(SignedInUser user) => user switch
    {
        { EndedSetupMode: false } => null,
        { BecameFirstAdministrator: true } => $"Welcome, {user.DisplayName}. You are the portal's first administrator, and {SetupModeOver}",
        _ => $"Welcome, {user.DisplayName}. You are an administrator, and {SetupModeOver}",
    };
}
