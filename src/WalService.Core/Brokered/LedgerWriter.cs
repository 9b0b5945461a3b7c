using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using WalService.Core.Abstractions;
using WalService.Core.Telemetry;

namespace WalService.Core.Brokered;

/// <summary>
/// Records status changes in an <see cref="IMessageLedgerStore"/> off the delivery path: callers queue an update and
/// go on; one loop records everything queued meanwhile in one <see cref="IMessageLedgerStore.RecordAsync"/>. A status
/// is a report, not the log: an update lost to a crash or a long store outage leaves a stale status, never a lost
/// message.
/// </summary>
public sealed class LedgerWriter : IAsyncDisposable
{
    private const int MaxBatch = 1000;
    private const int MaxTries = 5;
    private readonly IMessageLedgerStore _store;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<LedgerUpdate> _queue = Channel.CreateUnbounded<LedgerUpdate>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _running;

    public LedgerWriter(IMessageLedgerStore store, TimeProvider time, ILogger logger)
    {
        _store = store;
        _time = time;
        _logger = logger;
        _running = Task.Run(RunAsync);
    }

    public void Enqueue(LedgerUpdate update) => _queue.Writer.TryWrite(update);

    /// <summary>Records what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _running;
    }

    private async Task RunAsync()
    {
        var batch = new List<LedgerUpdate>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var update))
            {
                batch.Add(update);
            }

            await RecordAsync(batch);
            batch.Clear();
        }
    }

    private async Task RecordAsync(List<LedgerUpdate> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _store.RecordAsync(batch, CancellationToken.None);
                return;
            }
            catch (Exception ex) when (attempt < MaxTries)
            {
                RuntimeLog.LedgerRecordFailed(_logger, ex, batch.Count, attempt);
                await Task.Delay(TimeSpan.FromSeconds(attempt), _time);
            }
            catch (Exception ex)
            {
                RuntimeLog.LedgerUpdatesDropped(_logger, ex, batch.Count);
                return;
            }
        }
    }
}
