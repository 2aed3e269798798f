using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Architecture;

/// <summary>Pages show snackbars through SnackbarMessages.Show, which keeps errors and warnings until they are closed.</summary>
public sealed class SnackbarRuleTests
{
    [Fact]
    public void No_page_adds_a_snackbar_that_could_leave_before_it_is_read()
    {
        var web = Path.Combine(TestPaths.RepositoryRoot, "Portal");
        var adding = Directory.EnumerateFiles(web, "*.*", SearchOption.AllDirectories)
            .Where(file => file.EndsWith(".razor", StringComparison.Ordinal) || file.EndsWith(".cs", StringComparison.Ordinal))
            .Select(file => Path.GetRelativePath(web, file).Replace('\\', '/'))
            .Where(file => !file.StartsWith("obj/", StringComparison.Ordinal) && !file.StartsWith("bin/", StringComparison.Ordinal)
                && file != "Components/Layout/SnackbarMessages.cs")
            .Where(file => File.ReadAllText(Path.Combine(web, file)).Contains("Snackbar.Add(", StringComparison.Ordinal))
            .ToList();

        Assert.True(adding.Count == 0, $"These files call Snackbar.Add instead of Snackbar.Show: {string.Join(", ", adding)}");
    }
}
