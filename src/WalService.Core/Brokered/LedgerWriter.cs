using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using WalService.Core.Abstractions;
using WalService.Core.Telemetry;

namespace WalService.Core.Brokered;

/// <summary>
/// Records status changes in an <see cref="IMessageLedgerStore"/> off the delivery path: callers queue an update and
/// go on; one loop records everything queued meanwhile in one <see cref="IMessageLedgerStore.RecordAsync"/>. A status
/// is a report, not the log: an update lost to a crash or a long store outage leaves a stale status, never a lost
/// message. The queue is bounded without slowing writes: consumers wait for <see cref="RoomAsync"/> before they queue
/// (so a drain runs at the ledger's pace instead of filling memory with statuses), while <see cref="Enqueue"/> never
/// waits and refuses an update, logging how many, only past <see cref="HardLimit"/>.
/// </summary>
public sealed class LedgerWriter : IAsyncDisposable
{
    /// <summary>Updates queued at which <see cref="RoomAsync"/> makes consumers wait: ten of the loop's batches.</summary>
    public const int Capacity = 10 * MaxBatch;

    /// <summary>Updates queued past which <see cref="Enqueue"/> refuses more (about 20 MB of statuses).</summary>
    public const int HardLimit = 10 * Capacity;

    private const int MaxBatch = 1000;
    private const int MaxTries = 5;
    private readonly IMessageLedgerStore _store;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<LedgerUpdate> _queue = Channel.CreateUnbounded<LedgerUpdate>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private readonly Task _running;
    private int _queued;
    private TaskCompletionSource? _roomWaiter;

    public LedgerWriter(IMessageLedgerStore store, TimeProvider time, ILogger logger)
    {
        _store = store;
        _time = time;
        _logger = logger;
        _running = Task.Run(RunAsync);
    }

    /// <summary>Updates queued and not yet recorded.</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>
    /// Queues updates without waiting. Past <see cref="HardLimit"/> (a store that has not kept up for long) they are
    /// refused and logged with their count; answers how many were queued.
    /// </summary>
    public int Enqueue(IReadOnlyList<LedgerUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var queued = 0;
        foreach (var update in updates)
        {
            if (Volatile.Read(ref _queued) >= HardLimit || !_queue.Writer.TryWrite(update))
            {
                break;
            }

            Interlocked.Increment(ref _queued);
            queued++;
        }

        if (queued < updates.Count)
        {
            RuntimeLog.LedgerQueueFull(_logger, updates.Count - queued, HardLimit);
        }

        return queued;
    }

    /// <summary>Completes when fewer than <see cref="Capacity"/> updates are queued (at once, mostly), or the writer stops.</summary>
    public Task RoomAsync()
    {
        if (Volatile.Read(ref _queued) < Capacity)
        {
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            return _queued < Capacity || _running.IsCompleted
                ? Task.CompletedTask
                : (_roomWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    /// <summary>Records what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _running;
        lock (_gate)
        {
            _roomWaiter?.TrySetResult();
            _roomWaiter = null;
        }
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
            Recorded(batch.Count);
            batch.Clear();
        }
    }

    private void Recorded(int count)
    {
        var left = Interlocked.Add(ref _queued, -count);
        lock (_gate)
        {
            if (left < Capacity && _roomWaiter is { } waiter)
            {
                _roomWaiter = null;
                waiter.TrySetResult();
            }
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
