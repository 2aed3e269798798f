using Microsoft.Data.Sqlite;

namespace Portal.Tests.Infrastructure;

public static class TestPaths
{
    public static string NewDatabasePath() => Path.Combine(Path.GetTempPath(), $"portal-test-{Guid.NewGuid():N}.db");

    /// <summary>
    /// The Data Protection key file of a test database, in a folder beside it: a restart on the same database finds
    /// the same key file, a copy of the database finds none, and nothing is written into the repository.
    /// </summary>
    public static string KeyFilePath(string databasePath) => Path.Combine(databasePath + ".keys", "data-protection.pfx");

    /// <summary>Deletes the database file, its journal files and its key file folder.</summary>
    public static void DeleteDatabase(string path)
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path.GetDirectoryName(KeyFilePath(path))!, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // The database was never started by a portal.
        }
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // A file still held by a pooled connection of another test is removed with the temp folder.
            }
        }
    }

    /// <summary>The repository root (where Portal.slnx is).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Portal.slnx")))
            {
                dir = dir.Parent;
            }
            return dir?.FullName ?? throw new InvalidOperationException("Portal.slnx not found above the test binaries.");
        }
    }

    /// <summary>Where tests save screenshots; the README references copies kept in docs/screenshots.</summary>
    public static string ScreenshotPath(string name)
    {
        var dir = Path.Combine(RepositoryRoot, "test-output", "screenshots");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name);
    }
}
