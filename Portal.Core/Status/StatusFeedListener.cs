using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Core.Configuration;

namespace Portal.Core.Status;

/// <summary>
/// On PostgreSQL, keeps one connection of its own listening on <see cref="StatusNotice.Channel"/>, so that this
/// instance's dashboards show what other instances store: probe results (with their integrations' latest names,
/// enabled flags and deletions) and sign-ins. It ignores its own instance's notices (those are on the board already).
/// When the connection drops it reconnects with a growing pause and then reloads the board, because notices sent
/// meanwhile are lost. On SQLite it does nothing.
/// </summary>
public sealed class StatusFeedListener(
    IntegrationStatusService service,
    IOptions<DatabaseOptions> database,
    InstanceIdentity instance,
    TimeProvider clock,
    ILogger<StatusFeedListener> logger) : BackgroundService
{
    /// <summary>How long the connection may stay silent before a query checks that it still works.</summary>
    private static readonly TimeSpan QuietCheck = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(30);

    private readonly Channel<StatusNotice?> received = System.Threading.Channels.Channel.CreateUnbounded<StatusNotice?>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>The application name of the listening connection in <c>pg_stat_activity</c>.</summary>
    public string ApplicationName => $"portal status listener {instance.Id}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!database.Value.UsesPostgreSql)
        {
            return;
        }
        var applying = ApplyAsync(stoppingToken);
        var connectionString = new NpgsqlConnectionStringBuilder(database.Value.ConnectionString)
        {
            Pooling = false,
            ApplicationName = ApplicationName,
        }.ConnectionString;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                connection.Notification += (_, e) =>
                {
                    if (StatusNotice.Parse(e.Payload) is { } notice && notice.Origin != instance.Id)
                    {
                        received.Writer.TryWrite(notice);
                    }
                };
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {StatusNotice.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                if (failures > 0)
                {
                    logger.LogInformation("This portal instance ({Instance}) listens for other instances' status changes again; its status board reloads, since changes made meanwhile were not announced to it.", instance.Name);
                }
                failures = 0;
                // null asks for a reload: a notice sent before LISTEN took effect is lost.
                received.Writer.TryWrite(null);
                while (true)
                {
                    if (!await connection.WaitAsync(QuietCheck, stoppingToken))
                    {
                        await using var check = new NpgsqlCommand("SELECT 1", connection);
                        await check.ExecuteScalarAsync(stoppingToken);
                    }
                }
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                failures++;
                var retry = RetryAfter(failures);
                logger.LogWarning(e, "This portal instance ({Instance}) lost its connection for other instances' status changes ({Message}); its dashboards miss their changes until it reconnects in {Seconds} seconds.",
                    instance.Name, e.Message, retry.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture));
                try
                {
                    await Task.Delay(retry, clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        received.Writer.TryComplete();
        await applying;
    }

    private static TimeSpan RetryAfter(int failures)
    {
        var retry = FirstRetry * Math.Pow(2, Math.Min(failures - 1, 10));
        return retry < LongestRetry ? retry : LongestRetry;
    }

    /// <summary>Shows received notices on the board, several at a time when they arrive together.</summary>
    private async Task ApplyAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await received.Reader.WaitToReadAsync(stoppingToken))
            {
                var reload = false;
                var results = new HashSet<long>();
                var signIns = new HashSet<Guid>();
                var integrationsChanged = false;
                while (received.Reader.TryRead(out var notice))
                {
                    if (notice is null)
                    {
                        reload = true;
                        continue;
                    }
                    foreach (var id in notice.Ids)
                    {
                        if (notice.Kind == StatusNoticeKind.Results && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var resultId))
                        {
                            results.Add(resultId);
                        }
                        else if (notice.Kind == StatusNoticeKind.SignIns && Guid.TryParseExact(id, "N", out var integrationId))
                        {
                            signIns.Add(integrationId);
                        }
                        else if (notice.Kind == StatusNoticeKind.Integrations)
                        {
                            integrationsChanged = true;
                        }
                    }
                }
                try
                {
                    if (reload)
                    {
                        await service.ReloadBoardAsync(stoppingToken);
                    }
                    else
                    {
                        // Results read the integrations along with them, so a change to the integrations needs its own read only without results.
                        if (integrationsChanged && results.Count == 0)
                        {
                            await service.ShowIntegrationsAsync(stoppingToken);
                        }
                        await service.ShowResultsStoredElsewhereAsync(results, stoppingToken);
                        await service.ShowSignInsRecordedElsewhereAsync(signIns, stoppingToken);
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(e, "This portal instance ({Instance}) could not read another instance's status changes from the database; its dashboards show them after the next ones.", instance.Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
