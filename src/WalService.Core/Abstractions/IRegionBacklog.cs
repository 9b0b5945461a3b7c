namespace WalService.Core.Abstractions;

/// <summary>
/// A backend that can count a replicated namespace's backlog by region (the embedded log: replicas are rows of its
/// own). Kafka and SQS count their backlog as a whole, by offsets and queue depth, and do not implement it.
/// </summary>
public interface IRegionBacklog
{
    /// <summary>
    /// Most replicas of each region counted; a backlog beyond it is reported as this many, so that counting stays cheap
    /// however long a region has been down.
    /// </summary>
    const int CountLimit = 100_000;

    /// <summary>Replicas not yet applied nor dead-lettered (waiting, retrying or in flight), by region; a region without any is absent.</summary>
    Task<IReadOnlyDictionary<string, long>> GetRegionBacklogAsync(string ns, CancellationToken cancellationToken);
}
