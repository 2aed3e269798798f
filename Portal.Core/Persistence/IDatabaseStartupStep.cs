namespace Portal.Core.Persistence;

/// <summary>
/// Work a feature does once at start, after the migrations ran and before the portal serves requests. Steps run in
/// the order they were registered, each in the same service scope.
/// </summary>
public interface IDatabaseStartupStep
{
    /// <summary>Does the step's work; an exception stops the start.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
