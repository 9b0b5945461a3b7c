using WalService.Core.Model;

namespace WalService.Core.Abstractions;

/// <summary>The write half of a log backend.</summary>
public interface ILogProducer
{
    /// <summary>
    /// Appends one envelope. Completes with <c>Durable = TRUE</c> only after the backend persisted it (embedded:
    /// its transaction committed and was fsynced). When <c>Meta.IdempotencyKey</c> is set and a message with that
    /// key was written within <paramref name="dedupWindow"/>, nothing is appended and the first id is returned.
    /// </summary>
    ValueTask<AppendResult> AppendAsync(Envelope envelope, TimeSpan dedupWindow, CancellationToken cancellationToken);
}
