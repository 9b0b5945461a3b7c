using Microsoft.Extensions.Logging;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Telemetry;

namespace WalService.Core.Brokered;

/// <summary>
/// The statuses a log backend without a status table of its own (Kafka, SQS) keeps in the
/// <see cref="IMessageLedgerStore"/>, for the namespaces that track them (<see cref="NamespaceSettings.TrackStatus"/>,
/// as the caller last saw it), recorded in the background by a <see cref="LedgerWriter"/>.
/// </summary>
public sealed class TrackedStatuses(IMessageLedgerStore ledger, TimeProvider time, ILogger logger) : IAsyncDisposable
{
    private static readonly IReadOnlyDictionary<string, PastDelivery> Nothing = new Dictionary<string, PastDelivery>();
    private readonly LedgerWriter _writer = new(ledger, time, logger);

    /// <summary>
    /// What the ledger holds of <paramref name="messageIds"/>, read again by a consumer that took over their partition
    /// or queue (see <see cref="IMessageLedgerStore.PastDeliveriesAsync"/>); nothing when the namespace keeps no
    /// statuses or the ledger cannot tell (they are delivered: at least once).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, PastDelivery>> PastDeliveriesAsync(NamespaceSettings ns, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(messageIds);
        if (messageIds.Count == 0 || !ns.TrackStatus)
        {
            return Nothing;
        }

        try
        {
            return await ledger.PastDeliveriesAsync(ns.Name, messageIds, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            RuntimeLog.FinishedUnknown(logger, ex, ns.Name);
            return Nothing;
        }
    }

    /// <summary>Queues the updates when their namespace keeps statuses.</summary>
    public void Record(NamespaceSettings ns, IEnumerable<LedgerUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(updates);
        if (ns.TrackStatus)
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
