using Portal.Core.Accounts;
using Portal.Core.OAuth.AuthorizationCode;

namespace Portal.Core.OAuth;

/// <summary>What a verification's result says, in the tab that comes back from Bitbucket and on the page that watches it.</summary>
public static class VerificationMessages
{
    /// <summary>Bitbucket identified the administrator: who, by name and id.</summary>
    public static string Succeeded(SignInOutcome outcome) =>
        $"\"{outcome.IntegrationName}\" works: Bitbucket identified you as {outcome.Identity!.DisplayName} (user name {outcome.Identity.Name}, id {outcome.Identity.Id}). It is now Verified.";

    /// <summary>The step that failed and the administrator's detail.</summary>
    public static string Failed(SignInOutcome outcome) =>
        $"Verifying \"{outcome.IntegrationName}\" failed at the {StepName(outcome.FailedStep)} step: {outcome.AdministratorMessage}";

    /// <summary>
    /// Why the verification did not start. OAuth 1 asks Bitbucket for a request token before the browser leaves, so a
    /// verification can already fail then; it says which integration failed, like a verification that fails at the callback.
    /// </summary>
    public static string NotStarted(PrepareResult prepared) =>
        prepared is { Refusal: null, IntegrationName: { } name }
            ? $"Verifying \"{name}\" failed at the {StepName(SignInStep.Authorize)} step: {prepared.AdministratorMessage}"
            : prepared.AdministratorMessage!;

    private static string StepName(SignInStep? step) => step switch
    {
        SignInStep.Authorize => "authorize",
        SignInStep.Token => "token",
        SignInStep.Identity => "identity",
        SignInStep.Account => "account",
        _ => "sign-in state",
    };
}
