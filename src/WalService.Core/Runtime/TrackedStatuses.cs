using Microsoft.Extensions.Logging;
using WalService.Core.Abstractions;
using WalService.Core.Telemetry;

namespace WalService.Core.Runtime;

/// <summary>
/// The statuses a log backend without a status table of its own (Kafka, SQS) keeps in the
/// <see cref="IMessageLedgerStore"/>, for the namespaces that track them, recorded in the background by a
/// <see cref="LedgerWriter"/>.
/// </summary>
public sealed class TrackedStatuses(NamespaceRegistry registry, IMessageLedgerStore ledger, TimeProvider time, ILogger logger) : IAsyncDisposable
{
    private readonly LedgerWriter _writer = new(ledger, time, logger);

    /// <summary>Whether the namespace keeps per-message statuses (<c>track_status</c>).</summary>
    public async ValueTask<bool> TrackedAsync(string ns, CancellationToken cancellationToken) =>
        await registry.GetAsync(ns, cancellationToken) is { TrackStatus: true };

    /// <summary>
    /// Which of <paramref name="messageIds"/>, read again by a consumer that took over their partition or queue, the
    /// ledger has as finished; none when the namespace keeps no statuses or the ledger cannot tell (they are
    /// delivered: at least once).
    /// </summary>
    public async Task<IReadOnlySet<string>> FinishedAsync(string ns, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        if (messageIds.Count == 0 || !await TrackedAsync(ns, cancellationToken))
        {
            return new HashSet<string>();
        }

        try
        {
            return await ledger.FinishedAsync(ns, messageIds, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            RuntimeLog.FinishedUnknown(logger, ex, ns);
            return new HashSet<string>();
        }
    }

    /// <summary>Queues the updates when their namespace keeps statuses.</summary>
    public async ValueTask RecordAsync(string ns, IEnumerable<LedgerUpdate> updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        if (await TrackedAsync(ns, cancellationToken))
        {
            foreach (var update in updates)
            {
                _writer.Enqueue(update);
            }
        }
    }

    /// <summary>Takes over the statuses a write could not record before it answered (see <see cref="LedgerAppends"/>): recorded in the background.</summary>
    public void Defer(IReadOnlyList<LedgerUpdate> updates, Exception error)
    {
        ArgumentNullException.ThrowIfNull(updates);
        RuntimeLog.StatusDeferred(logger, error, updates.Count);
        foreach (var update in updates)
        {
            _writer.Enqueue(update);
        }
    }

    /// <summary>Records what is queued, then stops.</summary>
    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}
