using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using WalService.Core.Runtime;

namespace WalService.Postgres.ControlPlane;

/// <summary>
/// Listens on <see cref="Migrations.ChangeChannel"/> and refreshes the <see cref="NamespaceRegistry"/> as soon as any
/// instance changes a namespace, so the change reaches this instance's consumers in milliseconds. The registry's
/// periodic refresh stays the safety net for notifications lost while the connection was down.
/// </summary>
internal sealed partial class ChangeListener(NpgsqlDataSource dataSource, NamespaceRegistry registry, TimeProvider time, ILogger<ChangeListener> logger)
    : BackgroundService
{
    private static readonly TimeSpan Reconnect = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                ListenFailed(logger, ex);
                await Task.Delay(Reconnect, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
        connection.Notification += (_, _) => _ = RefreshAsync(stoppingToken);
        await using (var listen = new NpgsqlCommand($"LISTEN {Migrations.ChangeChannel}", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }

        // Changes made while this instance was not listening.
        await RefreshAsync(stoppingToken);
        while (true)
        {
            await connection.WaitAsync(stoppingToken);
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            await registry.RefreshAsync(cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            ListenFailed(logger, ex);
        }
    }

    [LoggerMessage(2000, LogLevel.Warning, "Listening for control-plane changes failed; the periodic refresh covers the gap until it reconnects")]
    private static partial void ListenFailed(ILogger logger, Exception exception);
}
