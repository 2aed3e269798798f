using Portal.Tests.Infrastructure;

namespace Portal.Tests.Core.Architecture;

/// <summary>Nothing in Portal.Core outside a platform's folder names a platform, not even in a comment.</summary>
public sealed class PlatformNamesTests
{
    [Theory]
    [InlineData("bitbucket")]
    [InlineData("gitlab")]
    public void Only_files_under_Platforms_name_a_platform(string platform)
    {
        var core = Path.Combine(TestPaths.RepositoryRoot, "Portal.Core");
        var naming = Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(core, file).Replace('\\', '/'))
            .Where(file => !file.StartsWith("Platforms/", StringComparison.Ordinal)
                && !file.StartsWith("Persistence/Migrations/", StringComparison.Ordinal)
                && !file.StartsWith("obj/", StringComparison.Ordinal) && !file.StartsWith("bin/", StringComparison.Ordinal))
            .Where(file => File.ReadAllText(Path.Combine(core, file)).Contains(platform, StringComparison.OrdinalIgnoreCase))
            .ToList();

        Assert.True(naming.Count == 0, $"These files outside Portal.Core/Platforms/ name {platform}: {string.Join(", ", naming)}");
    }
}
