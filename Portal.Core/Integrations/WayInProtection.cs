using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;

namespace Portal.Core.Integrations;

/// <summary>
/// Protects the way in: an administrator signs in through an integration, so disabling or deleting the last enabled
/// integration through which any administrator has signed in would lock every administrator out of the portal.
/// </summary>
internal static class WayInProtection
{
    /// <summary>What the refused action would do to the way in, in the refusal's words.</summary>
    internal enum Action
    {
        Disable,
        Delete,
        /// <summary>A new Base URL on a different server, which unlinks the accounts that signed in through it.</summary>
        PointElsewhere,
    }

    /// <summary>Null when <paramref name="integrationId"/> may be disabled or deleted; otherwise why not and what to do first.</summary>
    internal static async Task<string?> FindRefusalAsync(PortalDbContext db, Guid integrationId, Action action, CancellationToken cancellationToken)
    {
        var administratorsWayIn = await db.ExternalIdentities
            .Where(e => e.User!.IsAdministrator)
            .Join(db.Integrations.Where(i => i.Enabled), e => e.IntegrationId, i => i.Id, (e, i) => new { IntegrationId = i.Id, i.Name, e.User!.DisplayName })
            .ToListAsync(cancellationToken);
        var throughThisOne = administratorsWayIn.Where(p => p.IntegrationId == integrationId).ToList();
        if (throughThisOne.Count == 0 || administratorsWayIn.Any(p => p.IntegrationId != integrationId))
        {
            return null;
        }
        var name = throughThisOne[0].Name;
        var administrators = string.Join(", ", throughThisOne.Select(p => p.DisplayName).Distinct().Order(StringComparer.CurrentCulture));
        var verb = action switch
        {
            Action.Disable => "Disabling it",
            Action.Delete => "Deleting it",
            _ => "Pointing it at a different server, which unlinks the accounts that signed in through it,",
        };
        return $"\"{name}\" is the only enabled integration through which an administrator ({administrators}) has signed in. " +
               $"{verb} would leave no administrator a way to sign in to the portal. First give an administrator another way in: " +
               "sign in through another enabled integration with an administrator's account (or grant the administrator role on People to someone who has), then try again.";
    }
}
