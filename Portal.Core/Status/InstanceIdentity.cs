namespace Portal.Core.Status;

/// <summary>
/// This portal process among the instances that share one database: a short random <see cref="Id"/> that tells its own
/// notifications apart, and a <see cref="Name"/> for logs and the scheduler lease (machine, process id, <see cref="Id"/>).
/// </summary>
public sealed class InstanceIdentity
{
    /// <summary>The longest <see cref="Name"/> can be.</summary>
    public const int MaxNameLength = 128;

    /// <summary>Eight hexadecimal digits, new each time the process starts (two test hosts in one process differ too).</summary>
    public string Id { get; } = Guid.NewGuid().ToString("N")[..8];

    /// <summary>"machine/process id/<see cref="Id"/>", for example "portal-2/4711/3f9c01ab".</summary>
    public string Name => $"{Truncate(Environment.MachineName, 64)}/{Environment.ProcessId}/{Id}";

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
