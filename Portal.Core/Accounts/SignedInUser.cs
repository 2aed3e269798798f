namespace Portal.Core.Accounts;

/// <summary>The portal user a sign-in resolved to, and the session it started.</summary>
/// <param name="BecameFirstAdministrator">The sign-in ended Setup Mode and made this person an administrator.</param>
/// <param name="EndedSetupMode">The sign-in ended Setup Mode (the person may have been an administrator already).</param>
public sealed record SignedInUser(Guid UserId, string DisplayName, bool IsAdministrator, bool BecameFirstAdministrator, bool EndedSetupMode = false, Guid SessionId = default);
