using WalService.Api.V1;
using WalService.Core.Model;

namespace WalService.Core.Abstractions;

/// <summary>
/// A log backend: the producer/consumer pair of DESIGN.md, plus the dead-letter queue, the message ledger and the
/// per-namespace housekeeping the control plane needs.
/// </summary>
public interface ILogBackend : ILogProducer, ILogConsumer, IDeadLetterStore, IMessageLedger
{
    BackendKind Kind { get; }

    /// <summary>
    /// Problems with the namespace's backend settings on this server (e.g. an unknown cluster), each naming its field;
    /// on an update, <paramref name="current"/> is the stored config, for settings that cannot change.
    /// </summary>
    IEnumerable<string> Validate(NamespaceConfig config, NamespaceConfig? current);

    /// <summary>Prepares what the namespace needs before its first write (topics, queues).</summary>
    Task PrepareAsync(NamespaceSettings ns, CancellationToken cancellationToken);

    /// <summary>Messages of the namespace not yet applied nor dead-lettered.</summary>
    Task<long> CountUndeliveredAsync(string ns, CancellationToken cancellationToken);

    /// <summary>Removes everything the backend holds for the namespace.</summary>
    Task DropNamespaceAsync(string ns, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets the status of messages applied before <paramref name="appliedBefore"/> and idempotency keys whose dedup
    /// window has passed at <paramref name="now"/>.
    /// </summary>
    Task TrimAsync(string ns, DateTimeOffset appliedBefore, DateTimeOffset now, CancellationToken cancellationToken);

    Task<Backlog> GetBacklogAsync(string ns, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Whether the backend answers, and how each namespace it serves stands; for <c>/readyz</c>.</summary>
    Task<BackendReadiness> CheckReadinessAsync(CancellationToken cancellationToken);
}
