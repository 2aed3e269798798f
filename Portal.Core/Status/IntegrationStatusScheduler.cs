using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Portal.Core.Status;

/// <summary>
/// The one background scheduler per process: every <see cref="StatusOptions.ProbeInterval"/> it runs a pass of
/// <see cref="IntegrationStatusService"/> over all enabled integrations. Passes never overlap; the first one waits one
/// interval, so starting the portal (or a test host) costs no probes. Stops at once when the host stops.
/// </summary>
public sealed class IntegrationStatusScheduler(
    IntegrationStatusService service,
    IOptions<StatusOptions> options,
    TimeProvider clock,
    ILogger<IntegrationStatusScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            logger.LogInformation("Status:Enabled is false, so the portal does not check integrations in the background; Check now on the status page still works.");
            return;
        }
        using var timer = new PeriodicTimer(settings.ProbeInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await service.RunPassAsync(stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogError(e, "A status pass failed; the next one runs in {Interval}.", settings.ProbeInterval);
                }
            }
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: whatever the pass was doing is abandoned; its results are not stored.
        }
    }
}
