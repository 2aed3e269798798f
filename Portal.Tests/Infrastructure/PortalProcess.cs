using System.Diagnostics;

namespace Portal.Tests.Infrastructure;

/// <summary>The real <c>dotnet Portal.dll</c> in its own process, for start-up failures and commands.</summary>
public static class PortalProcess
{
    /// <summary>
    /// Runs the portal with <paramref name="arguments"/> against <paramref name="databasePath"/> until it exits (a failed
    /// start or a command); a portal that keeps running past the timeout is killed and fails the test.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunUntilExitAsync(string databasePath, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Portal.dll"), .. arguments])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (PostgreSqlCluster.ChosenForHostTests)
        {
            start.Environment["Database__Provider"] = "PostgreSQL";
            start.Environment["Database__ConnectionString"] = PostgreSqlCluster.Shared.DatabaseFor(databasePath);
        }
        else
        {
            start.Environment["Database__ConnectionString"] = $"Data Source={databasePath}";
        }
        start.Environment["DataProtection__CertificatePath"] = TestPaths.KeyFilePath(databasePath);
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Urls"] = "http://127.0.0.1:0";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await output + await errors);
    }
}
