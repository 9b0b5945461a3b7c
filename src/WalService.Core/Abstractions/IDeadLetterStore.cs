using WalService.Api.V1;

namespace WalService.Core.Abstractions;

/// <summary>A namespace's dead letters: inspect, redrive, purge.</summary>
public interface IDeadLetterStore
{
    /// <summary>Dead letters in id order, from after <paramref name="afterId"/> (exclusive).</summary>
    Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string ns, int pageSize, string? afterId, CancellationToken cancellationToken);

    /// <summary>
    /// Puts dead letters back in the log with a fresh attempt budget (all when <paramref name="messageIds"/> is empty).
    /// With <paramref name="maxPerSecond"/> above 0 their due times are spread so no more than that many fall due a second.
    /// </summary>
    Task<long> RedriveAsync(string ns, IReadOnlyCollection<string> messageIds, int maxPerSecond, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Removes dead letters for good (all when <paramref name="messageIds"/> is empty).</summary>
    Task<long> PurgeAsync(string ns, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken);
}
