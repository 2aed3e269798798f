using Portal.Core.Platforms;

namespace Portal.Core.OAuth;

/// <summary>
/// What the sign-in page tells anyone whose sign-in failed: the cause in their terms and what to do, one message per
/// <see cref="SignInErrorKind"/>. These pages are anonymous, so the messages carry no internal detail (no host or
/// port, no exception text, no Consumer Key, no server clocks, no HTTP answers); administrators read that detail in
/// the result of Verify and on the Status page (<see cref="SignInOutcome.AdministratorMessage"/>).
/// </summary>
public static class SignInFailureMessages
{
    private const string TellAnAdministrator =
        "tell an administrator: they see the cause on the Status page and when they verify the integration.";

    /// <summary>The sign-in page's message for a failure of <paramref name="kind"/>.</summary>
    /// <param name="serverName">The integration's server as its platform names it, or a generic name.</param>
    public static string PublicMessage(SignInErrorKind kind, string serverName = "the server")
    {
        var server = serverName;
        var serverAtStart = PlatformWording.AtStart(server);
        return kind switch
        {
            SignInErrorKind.IntegrationUnavailable =>
                "This sign-in option no longer exists or is disabled. Choose another one, or ask an administrator.",
            SignInErrorKind.StateMissing =>
                $"The answer from {server} carried no sign-in state, so the portal cannot tell it was this browser's sign-in. Start the sign-in again from the portal.",
            SignInErrorKind.StateUnknown =>
                "This sign-in link is not one the portal started, or it is too old. Start the sign-in again from the portal.",
            SignInErrorKind.StateFromAnotherBrowser =>
                "This sign-in was started in another browser (or its cookie was lost), so it cannot finish here. Start the sign-in again in this browser; if it keeps happening, allow cookies for the portal.",
            SignInErrorKind.StateExpired =>
                $"The sign-in took longer than {PendingAuthorizationStore.Lifetime.TotalMinutes:0} minutes and expired. Start the sign-in again.",
            SignInErrorKind.StateReplayed =>
                "This sign-in answer was already used. Each sign-in works once: start the sign-in again from the portal.",
            SignInErrorKind.UserDeclined =>
                $"You declined the access request in {server}, so you were not signed in. Sign in again and allow the portal access.",
            SignInErrorKind.AccessNotGranted =>
                $"{serverAtStart} did not give the portal access to your account, so you were not signed in. Sign in again and allow the portal access on {server}'s page; if you did, {TellAnAdministrator}",
            SignInErrorKind.CallbackInvalid =>
                $"{serverAtStart}'s answer could not complete the sign-in. Start the sign-in again from this page; if it keeps happening, {TellAnAdministrator}",
            SignInErrorKind.CodeRejected =>
                $"{serverAtStart} did not accept this sign-in's one-time code: it expired or was already used. Sign in again; if it keeps failing, {TellAnAdministrator}",
            SignInErrorKind.IntegrationMisconfigured =>
                $"Sign-in with {server} does not work at the moment because the connection between the portal and {server} is not set up correctly; nothing is wrong with your account. Please {TellAnAdministrator}",
            SignInErrorKind.ClockSkew =>
                $"{serverAtStart} refused the sign-in because the clocks of the portal's server and {server}'s server disagree; nothing is wrong with your account. Please {TellAnAdministrator}",
            SignInErrorKind.ServerUnavailable =>
                $"{serverAtStart} had a problem handling the sign-in. Try again in a few minutes; if it keeps failing, {TellAnAdministrator}",
            SignInErrorKind.ServerUnreachable =>
                $"The portal could not reach {server} to sign you in. Try again in a few minutes; if it keeps failing, {TellAnAdministrator}",
            SignInErrorKind.IdentityUnavailable =>
                $"{serverAtStart} let you in, but the portal could not find out which {server} account you used, so you were not signed in. Try again; if it keeps failing, {TellAnAdministrator}",
            SignInErrorKind.AccountRefused =>
                $"{serverAtStart} let you authorize the portal but refuses your account for now: it may want you to accept its terms, change an expired password or confirm your e-mail address, or the account may be blocked. Sign in to {server} in a browser and do what it asks, then sign in here again; if it says your account is blocked, ask {server}'s administrator.",
            _ => $"The sign-in did not complete. Start it again; if it keeps failing, {TellAnAdministrator}",
        };
    }
}
