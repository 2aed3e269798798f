using Portal.Core.Integrations;

namespace Portal.Features.Integrations;

/// <summary>What the Integrations list and an integration's own page say after a disable, enable or delete.</summary>
internal static class IntegrationMessages
{
    public const string NoLongerExists = "That integration no longer exists: someone deleted it. The list shows those that remain.";

    /// <summary>On the integration's own page, which has no list.</summary>
    public const string ThisOneNoLongerExists = "This integration no longer exists: someone deleted it. Open Integrations to see those that remain.";

    public static string EnabledChanged(string name, bool enabled) => enabled
        ? $"\"{name}\" is enabled: its sign-in button is back and the status page checks it again."
        : $"\"{name}\" is disabled: nobody can sign in through it and the status page no longer checks it.";

    public static string Deleted(LifecycleOutcome outcome) =>
        $"\"{outcome.Name}\" was deleted. {Sessions(outcome.EndedSessions)} {Orphans(outcome.OrphanedAccounts)}".TrimEnd();

    private static string Sessions(int count) => count switch
    {
        0 => "Nobody was signed in through it.",
        1 => "1 person signed in through it was signed out.",
        _ => $"{count} sessions through it were ended.",
    };

    private static string Orphans(int count) => count switch
    {
        0 => "",
        1 => "1 account has no other way in and shows as orphaned on People.",
        _ => $"{count} accounts have no other way in and show as orphaned on People.",
    };
}
