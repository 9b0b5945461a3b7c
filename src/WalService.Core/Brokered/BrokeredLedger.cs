using Microsoft.Extensions.Logging;
using WalService.Api.V1;
using WalService.Core.Abstractions;

namespace WalService.Core.Brokered;

/// <summary>
/// What a log backend on a broker (Kafka, SQS) keeps beside its transport, in the control-plane database: per-message
/// statuses (<see cref="Statuses"/>), idempotency keys (<see cref="Appends"/>) and the dead-letter archive
/// (<see cref="DeadLetters"/>), with the staged chunks of transactions. The backend moves messages; this answers for them. Disposing it records the statuses
/// still queued.
/// </summary>
public sealed class BrokeredLedger : IAsyncDisposable
{
    private readonly IMessageLedgerStore _ledger;

    public BrokeredLedger(IMessageLedgerStore ledger, IDeadLetterArchive archive, ITransactionStagingStore staging, TimeProvider time, ILogger logger)
    {
        _ledger = ledger;
        Statuses = new TrackedStatuses(ledger, time, logger);
        Appends = new LedgerAppends(ledger, Statuses.Defer);
        DeadLetters = new ArchivedDeadLetters(archive, ledger, staging, time);
    }

    public TrackedStatuses Statuses { get; }

    public LedgerAppends Appends { get; }

    public ArchivedDeadLetters DeadLetters { get; }

    /// <summary>See <see cref="IMessageLedger.GetStatusAsync"/>.</summary>
    public Task<MessageStatus?> GetStatusAsync(string ns, string messageId, DateTimeOffset now, CancellationToken cancellationToken) =>
        _ledger.GetStatusAsync(ns, messageId, now, cancellationToken);

    /// <summary>See <see cref="ILogHousekeeping.TrimAsync"/>.</summary>
    public Task TrimAsync(string ns, DateTimeOffset appliedBefore, DateTimeOffset now, CancellationToken cancellationToken) =>
        _ledger.TrimAsync(ns, appliedBefore, now, cancellationToken);

    public ValueTask DisposeAsync() => Statuses.DisposeAsync();
}
