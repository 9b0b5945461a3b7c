using WalService.Api.V1;

namespace WalService.Core.Abstractions;

/// <summary>One status change of one message, as a ledger records it.</summary>
/// <param name="Namespace">The message's namespace.</param>
/// <param name="MessageId">The message.</param>
/// <param name="State">Where it stands now.</param>
/// <param name="Attempts">Deliveries tried so far.</param>
/// <param name="LastError">Why the last attempt failed, if it did.</param>
/// <param name="NextAttemptAt">When it is due next, while it waits.</param>
/// <param name="AppliedAt">When it reached its target, once it did.</param>
/// <param name="At">When the change happened; a ledger keeps the latest and ignores older changes that arrive late.</param>
public readonly record struct LedgerUpdate(
    string Namespace,
    string MessageId,
    MessageState State,
    int Attempts,
    string? LastError,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? AppliedAt,
    DateTimeOffset At);

/// <summary>What the ledger holds of a message a consumer reads again after taking over its partition or queue.</summary>
/// <param name="Finished">Applied or dead-lettered: not to be delivered again.</param>
/// <param name="Attempts">Deliveries begun so far: the attempt of its last status (an IN_FLIGHT one counts).</param>
public readonly record struct PastDelivery(bool Finished, int Attempts);

/// <summary>
/// The message ledger of backends that keep no per-message state of their own (Kafka, SQS): statuses and idempotency
/// keys in a table of the control-plane database, trimmed after the namespace's dedup window.
/// </summary>
public interface IMessageLedgerStore : IMessageLedger
{
    /// <summary>
    /// Claims <paramref name="key"/> for <paramref name="messageId"/> until <paramref name="expiresAt"/>. Answers the
    /// id that holds the key: the given one when the claim is new (or the old claim expired), else the first writer's.
    /// </summary>
    Task<string> ClaimAsync(string ns, string key, string messageId, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>
    /// Gives up the claim of <paramref name="key"/> by <paramref name="messageId"/> (its write certainly failed), so a
    /// retry with the key writes anew. A key held by another id is left alone.
    /// </summary>
    Task ReleaseAsync(string ns, string key, string messageId, CancellationToken cancellationToken);

    /// <summary>Records the updates in one transaction; completes once it committed.</summary>
    Task RecordAsync(IReadOnlyList<LedgerUpdate> updates, CancellationToken cancellationToken);

    /// <summary>
    /// What the ledger holds of those of <paramref name="messageIds"/> that were finished (applied or dead-lettered) or
    /// delivered at least once; the others are left out. A consumer that takes over a partition skips the finished
    /// ones instead of delivering them again, and counts the attempts begun before for the others.
    /// </summary>
    Task<IReadOnlyDictionary<string, PastDelivery>> PastDeliveriesAsync(string ns, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken);

    /// <summary>Forgets statuses of messages applied before <paramref name="appliedBefore"/> and keys expired at <paramref name="now"/>.</summary>
    Task TrimAsync(string ns, DateTimeOffset appliedBefore, DateTimeOffset now, CancellationToken cancellationToken);
}
