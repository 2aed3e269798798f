using Portal.Core.Platforms;
using Portal.Core.Accounts;
using Portal.Core.OAuth;
using Portal.Core.OAuth.AuthorizationCode;

namespace Portal.Core.OAuth;

/// <summary>What a verification's result says, in the tab that comes back from the server and on the page that watches it.</summary>
public static class VerificationMessages
{
    /// <summary>The server identified the administrator: who, by name and id.</summary>
    public static string Succeeded(SignInOutcome outcome) => outcome.Replacement is { } kind
        ? $"The new {Noun(kind)} of \"{outcome.IntegrationName}\" works: {ServerAtStart(outcome)} identified you as {outcome.Identity!.DisplayName} (user name {outcome.Identity.Name}, id {outcome.Identity.Id}). It is now in use and the old one is discarded."
        : $"\"{outcome.IntegrationName}\" works: {ServerAtStart(outcome)} identified you as {outcome.Identity!.DisplayName} (user name {outcome.Identity.Name}, id {outcome.Identity.Id}). It is now Verified.";

    /// <summary>The step that failed and the administrator's detail; for new credentials, also that the current ones stay.</summary>
    public static string Failed(SignInOutcome outcome) => outcome.Replacement is { } kind
        ? $"Verifying the new {Noun(kind)} of \"{outcome.IntegrationName}\" failed at the {StepName(outcome.FailedStep)} step: {outcome.AdministratorMessage} {CurrentStays(kind)}"
        : $"Verifying \"{outcome.IntegrationName}\" failed at the {StepName(outcome.FailedStep)} step: {outcome.AdministratorMessage}";

    /// <summary>"The token step failed: …", kept beside pending credentials to say why their latest verification failed.</summary>
    public static string FailedStep(SignInOutcome outcome) =>
        $"The {StepName(outcome.FailedStep)} step failed: {outcome.AdministratorMessage}";

    private static string Noun(Integrations.CredentialKind kind) => Integrations.CredentialReplacementMessages.Noun(kind);

    private static string CurrentStays(Integrations.CredentialKind kind) =>
        $"The current {Noun(kind)} stays in use and nothing changed: fix the cause and verify again, or discard the new one.";

    /// <summary>
    /// Why the verification did not start. OAuth 1 asks the server for a request token before the browser leaves, so a
    /// verification can already fail then; it says which integration failed, like a verification that fails at the callback.
    /// </summary>
    public static string NotStarted(PrepareResult prepared) =>
        prepared is { Refusal: null, IntegrationName: { } newName, Failure: { Replacement: { } kind, FailedStep: not SignInStep.State } }
            ? $"Verifying the new {Noun(kind)} of \"{newName}\" failed at the {StepName(SignInStep.Authorize)} step: {prepared.AdministratorMessage} {CurrentStays(kind)}"
        : prepared is { Refusal: null, IntegrationName: { } name, Failure.Replacement: null }
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

    private static string ServerAtStart(SignInOutcome outcome) => PlatformWording.AtStart(outcome.ServerName);
}
