using WalService.Core.Model;

namespace WalService.Core.Abstractions;

/// <summary>
/// One namespace consumed by this instance: hands its due messages out under a lease and takes the verdicts back.
/// The namespace's worker owns it: made when the worker starts (<see cref="ILogConsumer.SubscribeAsync"/>), told of
/// every settings change (<see cref="Update"/>), disposed when the worker stops. Lease and next-due calls come from one
/// loop at a time; verdicts may come from several. A verdict for a lease this subscription no longer holds (it expired,
/// was handed to another consumer, or the subscription was stopped) is ignored.
/// </summary>
public interface ILogSubscription : IAsyncDisposable
{
    /// <summary>
    /// Leases up to <paramref name="max"/> messages that are due at <paramref name="now"/>. A message whose ordering key
    /// has an earlier message still undelivered is not handed out, unless that one is in the same batch: messages of
    /// one key in a batch come in write order, and the worker delivers them one after another, giving back those after
    /// one that was not applied.
    /// </summary>
    Task<IReadOnlyList<LeasedMessage>> LeaseDueAsync(int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>The earliest time at which a message becomes due, or null when none waits.</summary>
    Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken);

    /// <summary>The messages reached their target; they will not be handed out again. A stale lease is ignored.</summary>
    Task AckAsync(IReadOnlyList<LeasedMessage> messages, DateTimeOffset appliedAt, CancellationToken cancellationToken);

    /// <summary>The delivery failed transiently; hand the message out again at <paramref name="at"/>.</summary>
    ValueTask RetryAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken);

    /// <summary>Gives a lease back unused (the worker is stopping): the message is due again at once, its attempt not counted.</summary>
    ValueTask ReleaseAsync(LeasedMessage message, CancellationToken cancellationToken);

    /// <summary>The delivery failed for good; move the message to the namespace's dead-letter queue.</summary>
    ValueTask DeadLetterAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken);

    /// <summary>
    /// The namespace's settings changed (same name and backend; a change of concurrency or batch size makes a new
    /// worker, and so a new subscription). Settings read per message (whether statuses are tracked) follow at once.
    /// </summary>
    void Update(NamespaceSettings settings);
}
