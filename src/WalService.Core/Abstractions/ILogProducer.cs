using WalService.Core.Model;

namespace WalService.Core.Abstractions;

/// <summary>One envelope to append, with its namespace's dedup window.</summary>
public readonly record struct AppendRequest(Envelope Envelope, TimeSpan DedupWindow);

/// <summary>The write half of a log backend.</summary>
public interface ILogProducer
{
    /// <summary>
    /// Appends envelopes; <c>result[i]</c> answers <c>requests[i]</c>. A result is <c>Durable = TRUE</c> only after the
    /// backend persisted that envelope (embedded: its transaction committed and was fsynced). When
    /// <c>Meta.IdempotencyKey</c> is set and a message with that key was written within the request's dedup window,
    /// nothing is appended and the first id is returned.
    /// </summary>
    Task<AppendResult[]> AppendAsync(IReadOnlyList<AppendRequest> requests, CancellationToken cancellationToken);
}
