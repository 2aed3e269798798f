namespace Portal.Core.Integrations;

/// <summary>
/// Hears that an administrator's change to the integrations was committed: one created, edited, enabled, disabled,
/// deleted, or its trusted certificate changed. The status board implements it, so open dashboards show the change at
/// once instead of with the next pass of checks.
/// </summary>
public interface IIntegrationChangeListener
{
    /// <summary>Called after the commit; must not throw (a change never fails because a listener could not follow it).</summary>
    Task IntegrationsChangedAsync(CancellationToken cancellationToken);
}

internal static class IntegrationChangeListeners
{
    public static async Task ChangedAsync(this IEnumerable<IIntegrationChangeListener> listeners, CancellationToken cancellationToken)
    {
        foreach (var listener in listeners)
        {
            await listener.IntegrationsChangedAsync(cancellationToken);
        }
    }
}
