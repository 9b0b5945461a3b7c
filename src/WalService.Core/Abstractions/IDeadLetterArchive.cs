using WalService.Core.Model;

namespace WalService.Core.Abstractions;

/// <summary>One dead-lettered message as the archive keeps it.</summary>
/// <param name="Envelope">The message as it was last delivered (its namespace and id are the archive's key).</param>
/// <param name="Attempts">Deliveries tried before it was dead-lettered.</param>
/// <param name="LastError">Why it was dead-lettered.</param>
/// <param name="DeadLetteredAt">When.</param>
public sealed record ArchivedDeadLetter(Envelope Envelope, int Attempts, string LastError, DateTimeOffset DeadLetteredAt);

/// <summary>
/// The dead letters of backends whose own dead-letter queue cannot be listed by id or edited in place (a Kafka topic,
/// an SQS queue): a copy of each, in the control-plane database, that <c>ListDeadLetters</c>, redrive and purge work on.
/// </summary>
public interface IDeadLetterArchive
{
    /// <summary>Keeps the dead letters; one that is already kept (same namespace and id) is replaced.</summary>
    Task AddAsync(IReadOnlyList<ArchivedDeadLetter> deadLetters, CancellationToken cancellationToken);

    /// <summary>
    /// Dead letters of the namespace in id order, after <paramref name="afterId"/> (exclusive); when
    /// <paramref name="messageIds"/> is not empty, only those.
    /// </summary>
    Task<IReadOnlyList<ArchivedDeadLetter>> ListAsync(string ns, int pageSize, string? afterId, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken);

    /// <summary>Forgets the given dead letters (all of the namespace when <paramref name="messageIds"/> is empty); answers how many it removed.</summary>
    Task<long> RemoveAsync(string ns, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken);

    /// <summary>Dead letters kept for the namespace.</summary>
    Task<long> CountAsync(string ns, CancellationToken cancellationToken);
}
