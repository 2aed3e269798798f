namespace Portal.Core.Persistence;

/// <summary>
/// A start-up step found a state in which serving requests would do harm (see <see cref="IDatabaseStartupStep"/>); the
/// message names the cause and the fix, and the portal stops with it.
/// </summary>
public sealed class PortalStartRefusedException(string reason) : Exception(reason);
