namespace Portal.Core.Accounts;

/// <summary>
/// Told after a sign-in attempt through an integration was recorded (a <see cref="SignInEvent"/> saved, and on success
/// the integration marked Verified), so that the status dashboard shows it at once. Implementations must not throw.
/// </summary>
public interface ISignInOutcomeListener
{
    /// <param name="recorded">The saved event: which integration, when, and how it went.</param>
    /// <param name="integrationChanged">The attempt changed the integration too (it marked it Verified).</param>
    Task SignInRecordedAsync(SignInEvent recorded, bool integrationChanged, CancellationToken cancellationToken);
}
