namespace WalService.Core.Abstractions;

/// <summary>The read half of a log backend: hands due messages out under a lease and takes the verdict back.</summary>
public interface ILogConsumer
{
    /// <summary>
    /// Leases up to <paramref name="max"/> messages of the namespace that are due at <paramref name="now"/>. A message
    /// whose ordering key has an earlier message still undelivered is not handed out.
    /// </summary>
    Task<IReadOnlyList<LeasedMessage>> LeaseDueAsync(string ns, int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>The earliest time at which a message of the namespace becomes due, or null when none waits.</summary>
    Task<DateTimeOffset?> NextDueAsync(string ns, CancellationToken cancellationToken);

    /// <summary>The messages reached their target; they will not be handed out again. A stale lease is ignored.</summary>
    Task AckAsync(IReadOnlyList<LeasedMessage> messages, DateTimeOffset appliedAt, CancellationToken cancellationToken);

    /// <summary>The delivery failed transiently; hand the message out again at <paramref name="at"/>.</summary>
    ValueTask RetryAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken);

    /// <summary>Gives a lease back unused (the worker is stopping): the message is due again at once, its attempt not counted.</summary>
    ValueTask ReleaseAsync(LeasedMessage message, CancellationToken cancellationToken);

    /// <summary>The delivery failed for good; move the message to the namespace's dead-letter queue.</summary>
    ValueTask DeadLetterAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken);

    /// <summary>
    /// This instance no longer consumes the namespace (paused, deleted, re-tuned or shutting down); every lease it held
    /// was answered or given back. A backend that shares consumption between instances hands its part to the others.
    /// </summary>
    ValueTask StopConsumingAsync(string ns);
}
