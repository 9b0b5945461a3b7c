namespace WalService.Core.Abstractions;

/// <summary>What the consumer host and <c>/readyz</c> ask of a log backend in the background.</summary>
public interface ILogHousekeeping
{
    /// <summary>
    /// Forgets the status of messages applied before <paramref name="appliedBefore"/> and idempotency keys whose dedup
    /// window has passed at <paramref name="now"/>.
    /// </summary>
    Task TrimAsync(string ns, DateTimeOffset appliedBefore, DateTimeOffset now, CancellationToken cancellationToken);

    Task<Backlog> GetBacklogAsync(string ns, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Whether the backend answers, and how each namespace it serves stands; for <c>/readyz</c>.</summary>
    Task<BackendReadiness> CheckReadinessAsync(CancellationToken cancellationToken);
}
