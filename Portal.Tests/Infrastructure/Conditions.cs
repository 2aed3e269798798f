using System.Diagnostics;

namespace Portal.Tests.Infrastructure;

/// <summary>Waiting for a condition instead of for a time: polls every 50 ms, fails naming what did not happen.</summary>
public static class Conditions
{
    public static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"Waited {timeout} for {what}.");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Like <see cref="WaitForAsync(Func{bool}, TimeSpan, string)"/>, for a condition that must be read asynchronously (a query).</summary>
    public static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"Waited {timeout} for {what}.");
            }
            await Task.Delay(50);
        }
    }
}
