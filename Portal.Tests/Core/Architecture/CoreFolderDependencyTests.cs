using Portal.Core.Platforms;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Core;
using Portal.Core.Persistence;

namespace Portal.Tests.Core.Architecture;

/// <summary>
/// The folders of Portal.Core depend on each other in one direction only, judged by the type references in the
/// compiled assembly (see <see cref="CoreTypeReferences"/>).
/// </summary>
public sealed class CoreFolderDependencyTests
{
    private const string Persistence = "Persistence";

    /// <summary>
    /// Edges that close cycles today, each going down-to-up against the intended order (bottom first): Configuration,
    /// Persistence, Security, Platforms, Sessions, Authorization, Audit, Accounts, Setup, Integrations, OAuth, Status,
    /// Retention, the root; a platform's folder beside the root. Remove an edge here when its fix lands (the test
    /// fails until you do); an edge that is not here and closes a cycle fails the test.
    /// </summary>
    private static readonly (string From, string To, string Why)[] BackwardEdges =
    [
        ("Sessions", "Setup", "SessionService asks SetupModeService whether Setup Mode is over"),
        ("Authorization", "Accounts", "AdministratorGate reads PortalUser.IsAdministrator"),
        ("Audit", "Accounts", "AuditLog reads the names of PortalUsers"),
        ("Audit", "Integrations", "AuditLog and AuditDetails read Integration and OAuthVersion"),
        ("Accounts", "Integrations", "AccountService reads Integration"),
    ];

    /// <summary>
    /// Persistence maps the entities of the feature folders; that is not a dependency on their flows (the test below
    /// holds Persistence to entities only), so those references are left out of the folder graph.
    /// </summary>
    [Fact]
    public void The_folders_of_Portal_Core_form_a_graph_without_cycles_but_for_the_known_backward_edges()
    {
        var edges = FolderEdges();

        var known = BackwardEdges.Select(e => (e.From, e.To)).ToHashSet();
        var cycles = FolderGraph.Cycles(edges.Keys.Where(e => !known.Contains(e)));
        var gone = BackwardEdges.Where(e => !edges.ContainsKey((e.From, e.To))).Select(e => $"{e.From} -> {e.To} ({e.Why})").ToList();

        Assert.True(cycles.Count == 0, Describe(cycles, edges));
        Assert.True(gone.Count == 0, "These backward edges no longer exist: remove them from BackwardEdges.\n" + string.Join("\n", gone));
    }

    [Fact]
    public void Every_known_backward_edge_is_on_a_cycle_today()
    {
        // Keeps the list honest: an edge that closes no cycle is not a reason to exempt it.
        var edges = FolderEdges();
        var onNoCycle = BackwardEdges
            .Where(e => edges.ContainsKey((e.From, e.To)))
            .Where(e => !FolderGraph.Cycles(edges.Keys).Any(cycle => cycle.Zip(cycle.Skip(1)).Contains((e.From, e.To))))
            .Select(e => $"{e.From} -> {e.To}")
            .ToList();

        Assert.True(onNoCycle.Count == 0, "These listed edges close no cycle: remove them from BackwardEdges.\n" + string.Join("\n", onNoCycle));
    }

    /// <summary>
    /// A platform's folder (Platforms/BitbucketServer/, …) is a plug-in: it may use anything, and only the root's
    /// registration names it, so adding or removing a platform touches nothing else.
    /// </summary>
    [Fact]
    public void Only_the_platform_list_depends_on_a_platform_folder()
    {
        var offending = CoreTypeReferences.References
            .Where(r => r.IsInCore)
            .Where(r => IsPlatformFolder(r.TargetNamespace))
            .Where(r => CoreTypeReferences.SubfolderOf(r.SourceNamespace) != CoreTypeReferences.SubfolderOf(r.TargetNamespace))
            .Where(r => r.Source != typeof(Portal.Core.PlatformsServiceCollectionExtensions).FullName)
            .GroupBy(r => (From: CoreTypeReferences.SubfolderOf(r.SourceNamespace), To: CoreTypeReferences.SubfolderOf(r.TargetNamespace)))
            .Select(g => $"{g.Key.From} -> {g.Key.To}: {g.First()}")
            .ToList();

        Assert.True(offending.Count == 0, "Outside the platform list (AddPlatforms), these name a platform's folder:\n" + string.Join("\n", offending));
    }

    [Fact]
    public void Persistence_references_entities_but_no_flow_of_another_folder()
    {
        var entities = EntityTypes();
        var offending = CoreTypeReferences.References
            .Where(r => r.IsInCore && CoreTypeReferences.FolderOf(r.SourceNamespace) == Persistence)
            .Where(r => CoreTypeReferences.FolderOf(r.TargetNamespace) is not (Persistence or "Configuration"))
            .Where(r => !entities.Contains(r.Target))
            .Select(r => r.ToString())
            .Distinct()
            .ToList();

        Assert.True(offending.Count == 0, "Persistence may name other folders' entities (and options) only; it names:\n" + string.Join("\n", offending));
    }

    [Fact]
    public void Portal_Core_references_no_HTTP_request_or_component_types()
    {
        var offending = CoreTypeReferences.References
            .Where(r => !r.IsInCore)
            .Where(r => IsWithin(r.TargetNamespace, "Microsoft.AspNetCore.Http") || IsWithin(r.TargetNamespace, "Microsoft.AspNetCore.Components"))
            .Select(r => r.ToString())
            .Distinct()
            .ToList();

        Assert.True(offending.Count == 0, "Portal.Core must stay free of web types; it names:\n" + string.Join("\n", offending));
    }

    [Fact]
    public void The_reader_sees_references_in_method_bodies_and_signatures()
    {
        // Guards the guard: if the reader missed these known references, the tests above would pass vacuously.
        var references = CoreTypeReferences.References;
        Assert.Contains(references, r => r.Source == typeof(PortalDbContext).FullName && r.Target == typeof(Portal.Core.Integrations.Integration).FullName);
        Assert.Contains(references, r => r.Source == typeof(Portal.Core.Accounts.AccountsServiceCollectionExtensions).FullName
            && r.Target == typeof(Portal.Core.Accounts.AccountService).FullName && r.Member.EndsWith(".AddAccounts", StringComparison.Ordinal));
        Assert.Contains(references, r => !r.IsInCore && r.Target == typeof(DbContext).FullName);
    }

    [Fact]
    public void A_cycle_is_reported_with_an_example_reference_per_edge()
    {
        var a = new CoreTypeReference("Portal.Core.A.X", "Portal.Core.A", "Portal.Core.B.Y", "Portal.Core.B", "X.Run", IsInCore: true);
        var b = new CoreTypeReference("Portal.Core.B.Y", "Portal.Core.B", "Portal.Core.A.Z", "Portal.Core.A", "Y.Run", IsInCore: true);
        var c = new CoreTypeReference("Portal.Core.B.Y", "Portal.Core.B", "Portal.Core.C.W", "Portal.Core.C", "Y.Run", IsInCore: true);
        var edges = new Dictionary<(string From, string To), CoreTypeReference> { [("A", "B")] = a, [("B", "A")] = b, [("B", "C")] = c };

        var cycles = FolderGraph.Cycles(edges.Keys);

        Assert.Equal(["A -> B -> A"], cycles.Select(cycle => string.Join(" -> ", cycle)));
        var message = Describe(cycles, edges);
        Assert.Contains("A -> B: Portal.Core.A.X -> Portal.Core.B.Y (in X.Run)", message, StringComparison.Ordinal);
        Assert.Contains("B -> A: Portal.Core.B.Y -> Portal.Core.A.Z (in Y.Run)", message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The folder graph with one example reference per edge. A platform's folder is a node of its own
    /// ("Platforms.BitbucketServer"); every other sub-namespace counts as its top folder.
    /// </summary>
    private static Dictionary<(string From, string To), CoreTypeReference> FolderEdges()
    {
        var entities = EntityTypes();
        return CoreTypeReferences.References
            .Where(r => r.IsInCore)
            .Select(r => (Reference: r, From: NodeOf(r.SourceNamespace), To: NodeOf(r.TargetNamespace)))
            .Where(e => e.From != e.To)
            .Where(e => !(e.From == Persistence && entities.Contains(e.Reference.Target)))
            .GroupBy(e => (e.From, e.To))
            .ToDictionary(g => g.Key, g => g.First().Reference);
    }

    private static string NodeOf(string @namespace) =>
        IsPlatformFolder(@namespace) ? CoreTypeReferences.SubfolderOf(@namespace) : CoreTypeReferences.FolderOf(@namespace);

    private static bool IsPlatformFolder(string @namespace) =>
        CoreTypeReferences.FolderOf(@namespace) == "Platforms" && CoreTypeReferences.SubfolderOf(@namespace) != "Platforms";

    private static bool IsWithin(string @namespace, string root) =>
        @namespace == root || @namespace.StartsWith(root + ".", StringComparison.Ordinal);

    /// <summary>The CLR types of the EF model: entities, owned and complex types, and the types of their mapped properties.</summary>
    private static HashSet<string> EntityTypes()
    {
        using var db = new PortalDbContext(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite("Data Source=:memory:").Options);
        var types = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entity in db.Model.GetEntityTypes())
        {
            types.Add(entity.ClrType.FullName!);
            foreach (var property in entity.GetProperties())
            {
                types.Add((Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType).FullName!);
            }
            foreach (var complex in entity.GetComplexProperties())
            {
                types.Add(complex.ClrType.FullName!);
            }
        }
        return types;
    }

    private static string Describe(IReadOnlyList<IReadOnlyList<string>> cycles, Dictionary<(string From, string To), CoreTypeReference> edges)
    {
        var message = new StringBuilder($"Portal.Core's folders have {cycles.Count} cycle(s):\n");
        foreach (var cycle in cycles)
        {
            message.Append("  ").AppendJoin(" -> ", cycle).Append('\n');
            for (var i = 0; i < cycle.Count - 1; i++)
            {
                message.Append("    ").Append(cycle[i]).Append(" -> ").Append(cycle[i + 1]).Append(": ").Append(edges[(cycle[i], cycle[i + 1])]).Append('\n');
            }
        }
        return message.ToString();
    }
}
