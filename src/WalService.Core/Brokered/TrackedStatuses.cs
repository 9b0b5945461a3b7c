using Microsoft.Extensions.Logging;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Telemetry;

namespace WalService.Core.Brokered;

/// <summary>
/// The statuses a log backend without a status table of its own (Kafka, SQS) keeps in the
/// <see cref="IMessageLedgerStore"/>, for the namespaces that track them (<see cref="NamespaceSettings.TrackStatus"/>,
/// as the caller last saw it), recorded in the background by a <see cref="LedgerWriter"/> whose queue is bounded.
/// </summary>
public sealed class TrackedStatuses(IMessageLedgerStore ledger, TimeProvider time, ILogger logger) : IAsyncDisposable
{
    private readonly LedgerWriter _writer = new(ledger, time, logger);

    /// <summary>
    /// Which of <paramref name="messageIds"/>, read again by a consumer that took over their partition or queue, the
    /// ledger has as finished; none when the namespace keeps no statuses or the ledger cannot tell (they are
    /// delivered: at least once).
    /// </summary>
    public async Task<IReadOnlySet<string>> FinishedAsync(NamespaceSettings ns, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(messageIds);
        if (messageIds.Count == 0 || !ns.TrackStatus)
        {
            return new HashSet<string>();
        }

        try
        {
            return await ledger.FinishedAsync(ns.Name, messageIds, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            RuntimeLog.FinishedUnknown(logger, ex, ns.Name);
            return new HashSet<string>();
        }
    }

    /// <summary>Queues the updates when their namespace keeps statuses (see <see cref="LedgerWriter.Enqueue"/>).</summary>
    public void Record(NamespaceSettings ns, IEnumerable<LedgerUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(updates);
        if (ns.TrackStatus)
        {
            _writer.Enqueue([.. updates]);
        }
    }

    /// <summary>
    /// Completes when the background writer has room for more of the namespace's statuses (at once when it keeps none):
    /// a consumer waits for it before it finishes what it applied, so a drain goes at the ledger's pace.
    /// </summary>
    public Task RoomAsync(NamespaceSettings ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return ns.TrackStatus ? _writer.RoomAsync() : Task.CompletedTask;
    }

    /// <summary>Takes over the statuses a write could not record before it answered (see <see cref="LedgerAppends"/>): recorded in the background.</summary>
    public void Defer(IReadOnlyList<LedgerUpdate> updates, Exception error)
    {
        ArgumentNullException.ThrowIfNull(updates);
        RuntimeLog.StatusDeferred(logger, error, updates.Count);
        _writer.Enqueue(updates);
    }

    /// <summary>Records what is queued, then stops.</summary>
    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}
