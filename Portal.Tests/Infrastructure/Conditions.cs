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
}
