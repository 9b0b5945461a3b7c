namespace WalService.Bench;

/// <summary>The settings of the replication mode (<see cref="ReplicationBench"/>); see <c>bench/README.md</c>.</summary>
internal sealed partial record BenchSettings
{
    /// <summary>
    /// The mode that compares a namespace replicated to three regions (a local Redis and two <c>wal</c> forwards to
    /// servers of their own) with a single-region <c>redis</c> namespace, and times writes to the last region's Redis.
    /// </summary>
    public const string ReplicationMode = "replication";

    private IEnumerable<string> ReplicationProblems()
    {
        if (Mode != ReplicationMode)
        {
            yield break;
        }

        if (StartServer is null)
        {
            yield return "--mode replication needs --start-server: the bench starts the three regions' servers and Redis servers itself";
        }

        if (IsKafka || IsSqs)
        {
            yield return "--mode replication runs on the embedded backend; leave out the Kafka and SQS options";
        }
    }
}
