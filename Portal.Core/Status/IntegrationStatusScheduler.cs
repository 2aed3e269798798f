using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Portal.Core.Status;

/// <summary>
/// Runs a pass of <see cref="IntegrationStatusService"/> over all enabled integrations every
/// <see cref="StatusOptions.ProbeInterval"/>, on exactly one of the portal instances that share the database: the one
/// holding the <see cref="StatusSchedulerLease"/>. Every tenth of an interval each instance tries to take or renew the
/// lease; it lasts four tenths, so when its holder dies without releasing it another instance takes over within half an
/// interval and runs the next pass when it is due (one interval after the last pass started), which is within one
/// interval of the death. A fresh portal's first pass waits one interval, so starting it costs no probes; an instance
/// that takes over a lease whose last pass is older than that runs a pass at once. Passes never overlap. On a graceful
/// stop the holder releases the lease, so another instance takes over within a tenth of an interval.
/// </summary>
public sealed class IntegrationStatusScheduler(
    IntegrationStatusService service,
    StatusSchedulerLeaseStore leases,
    InstanceIdentity instance,
    IOptions<StatusOptions> options,
    TimeProvider clock,
    ILogger<IntegrationStatusScheduler> logger) : BackgroundService
{
    private bool holding;
    private bool failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            logger.LogInformation("Status:Enabled is false, so the portal does not check integrations in the background; Check now on the status page still works.");
            await RefreshWithoutChecksAsync(settings.ProbeInterval, stoppingToken);
            return;
        }
        var interval = settings.ProbeInterval;
        var tick = interval / 10;
        var leaseLength = interval * 0.4;
        var pass = Task.CompletedTask;
        CancellationTokenSource? running = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = tick;
                try
                {
                    var lease = await leases.TryHoldAsync(instance.Name, leaseLength, stoppingToken);
                    Report(lease is not null, null);
                    if (lease is null)
                    {
                        AbandonPass(running);
                    }
                    if (lease is not null && pass.IsCompleted)
                    {
                        var dueIn = lease.NextPassDueIn(interval);
                        if (dueIn > TimeSpan.Zero)
                        {
                            wait = dueIn < tick ? dueIn : tick;
                        }
                        else if (await leases.TryStartPassAsync(instance.Name, leaseLength, interval, stoppingToken))
                        {
                            running?.Dispose();
                            running = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                            pass = RunPassAsync(interval, running.Token, stoppingToken);
                        }
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    Report(false, e);
                    AbandonPass(running);
                }
                await Task.Delay(wait, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: a pass in flight is abandoned; its results are not stored.
        }
        finally
        {
            await pass.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            running?.Dispose();
            await ReleaseAsync();
        }
    }

    private async Task RefreshWithoutChecksAsync(TimeSpan interval, CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(interval, clock, stoppingToken);
                try
                {
                    await service.RefreshWithoutChecksAsync(stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(e, "The status page's sign-in counts could not be brought up to date; the next try is in {Interval}.", interval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Without the lease another instance may start the next pass; one still running here (a pass can outlast the lease
    /// when checks time out slowly) is cancelled, so two instances never probe at the same time.
    /// </summary>
    private static void AbandonPass(CancellationTokenSource? running)
    {
        if (running is { IsCancellationRequested: false })
        {
            running.Cancel();
        }
    }

    private async Task RunPassAsync(TimeSpan interval, CancellationToken passToken, CancellationToken stoppingToken)
    {
        try
        {
            await service.RunPassAsync(passToken);
        }
        catch (OperationCanceledException) when (passToken.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            logger.LogInformation("This portal instance ({Instance}) abandoned its status pass because it no longer holds the scheduler's lease; its results are not stored.", instance.Name);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogError(e, "A status pass failed; the next one runs in {Interval}.", interval);
        }
    }

    /// <summary>Logs when this instance takes or loses the lease, and the first of a run of database failures.</summary>
    private void Report(bool holds, Exception? failure)
    {
        if (holds && !holding)
        {
            logger.LogInformation("This portal instance ({Instance}) took the status scheduler's lease: it now runs the background status checks for all instances.", instance.Name);
        }
        else if (!holds && holding)
        {
            if (failure is null)
            {
                logger.LogInformation("This portal instance ({Instance}) lost the status scheduler's lease to another instance (it did not renew it in time): that instance runs the background status checks now.", instance.Name);
            }
            else
            {
                logger.LogInformation("This portal instance ({Instance}) gave up the status scheduler's lease because it could not renew it in the database; another instance that reaches the database takes over the background status checks.", instance.Name);
            }
        }
        if (failure is not null && !failing)
        {
            logger.LogWarning(failure, "This portal instance ({Instance}) could not take or renew the status scheduler's lease; it tries again every {Tick}. Check that the database is reachable.", instance.Name, options.Value.ProbeInterval / 10);
        }
        holding = holds;
        failing = failure is not null;
    }

    private async Task ReleaseAsync()
    {
        if (!holding)
        {
            return;
        }
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await leases.ReleaseAsync(instance.Name, timeout.Token);
            logger.LogInformation("This portal instance ({Instance}) is stopping and released the status scheduler's lease; another instance takes over the background status checks.", instance.Name);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "This portal instance ({Instance}) could not release the status scheduler's lease while stopping; another instance takes over when it runs out.", instance.Name);
        }
        holding = false;
    }
}
