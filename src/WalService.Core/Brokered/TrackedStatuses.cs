using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Telemetry;

namespace WalService.Core.Brokered;

/// <summary>
/// The statuses a log backend without a status table of its own (Kafka, SQS) keeps in the
/// <see cref="IMessageLedgerStore"/>, for the namespaces that track them (<see cref="NamespaceSettings.TrackStatus"/>,
/// as the caller last saw it), recorded in the background by a <see cref="LedgerWriter"/> whose queue is bounded. A
/// delivery begun is recorded only once it has lasted <see cref="InFlightAfter"/>, so a delivery that ends sooner costs
/// no write for it.
/// </summary>
public sealed class TrackedStatuses : IAsyncDisposable
{
    /// <summary>
    /// How long a delivery runs before its IN_FLIGHT status is recorded (see <see cref="Begin"/>): most end sooner, and
    /// their verdict is then the only status written.
    /// </summary>
    public static readonly TimeSpan InFlightAfter = TimeSpan.FromMilliseconds(50);

    private static readonly IReadOnlyDictionary<string, PastDelivery> Nothing = new Dictionary<string, PastDelivery>();
    private readonly IMessageLedgerStore _ledger;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LedgerWriter _writer;
    private readonly ConcurrentDictionary<(string Namespace, string MessageId), LedgerUpdate> _begun = new();
    private readonly PeriodicTimer _begunTimer;
    private readonly Task _recordingBegun;

    public TrackedStatuses(IMessageLedgerStore ledger, TimeProvider time, ILogger logger)
    {
        _ledger = ledger;
        _time = time;
        _logger = logger;
        _writer = new LedgerWriter(ledger, time, logger);
        _begunTimer = new PeriodicTimer(InFlightAfter, time);
        _recordingBegun = Task.Run(RecordBegunAsync);
    }

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
            return await _ledger.PastDeliveriesAsync(ns.Name, messageIds, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            RuntimeLog.FinishedUnknown(_logger, ex, ns.Name);
            return Nothing;
        }
    }

    /// <summary>
    /// Queues the updates when their namespace keeps statuses (see <see cref="LedgerWriter.Enqueue"/>); a delivery begun
    /// of their messages needs no recording any more.
    /// </summary>
    public void Record(NamespaceSettings ns, IEnumerable<LedgerUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(updates);
        if (ns.TrackStatus)
        {
            var list = updates.ToList();
            foreach (var update in list)
            {
                _begun.TryRemove((update.Namespace, update.MessageId), out _);
            }

            _writer.Enqueue(list);
        }
    }

    /// <summary>
    /// Deliveries begun (IN_FLIGHT updates), when their namespace keeps statuses: queued once they have run for
    /// <see cref="InFlightAfter"/> without a verdict (<see cref="Record"/>) or a release (<see cref="Released"/>).
    /// </summary>
    public void Begin(NamespaceSettings ns, IEnumerable<LedgerUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(updates);
        if (ns.TrackStatus)
        {
            foreach (var update in updates)
            {
                _begun[(update.Namespace, update.MessageId)] = update;
            }
        }
    }

    /// <summary>
    /// A delivery given back before it began: its IN_FLIGHT status is forgotten, or, when it was recorded already,
    /// <paramref name="returned"/> (the message waiting, that attempt not counted) is queued after it.
    /// </summary>
    public void Released(NamespaceSettings ns, LedgerUpdate returned)
    {
        ArgumentNullException.ThrowIfNull(ns);
        if (ns.TrackStatus && !_begun.TryRemove((returned.Namespace, returned.MessageId), out _))
        {
            _writer.Enqueue([returned]);
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
        RuntimeLog.StatusDeferred(_logger, error, updates.Count);
        _writer.Enqueue(updates);
    }

    /// <summary>Records what is queued, then stops; deliveries begun and not yet recorded are left out.</summary>
    public async ValueTask DisposeAsync()
    {
        _begunTimer.Dispose();
        await _recordingBegun;
        await _writer.DisposeAsync();
    }

    private async Task RecordBegunAsync()
    {
        // Ends when the timer is disposed.
        while (await _begunTimer.WaitForNextTickAsync())
        {
            var begunBefore = _time.GetUtcNow() - InFlightAfter;
            foreach (var begun in _begun)
            {
                if (begun.Value.At <= begunBefore && _begun.TryRemove(begun))
                {
                    _writer.Enqueue([begun.Value]);
                }
            }
        }
    }
}
