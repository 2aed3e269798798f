using Portal.Core.Accounts;

namespace Portal.Core.OAuth;

/// <summary>What the portal tells someone after a sign-in that worked, or after signing out.</summary>
public static class SignInMessages
{
    /// <summary>After signing out.</summary>
    public const string SignedOut = "You are signed out.";

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
