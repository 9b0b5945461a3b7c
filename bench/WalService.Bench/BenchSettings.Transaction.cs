namespace WalService.Bench;

/// <summary>The settings of the transaction mode (<see cref="TransactionBench"/>); see <c>bench/README.md</c>.</summary>
internal sealed partial record BenchSettings
{
    /// <summary>The mode that times a kv transaction against the same mutations as ordinary messages, and chunk writes against ordinary ones.</summary>
    public const string TransactionMode = "transaction";

    /// <summary>Mutations of the timed transaction [10,000], spread over three PostgreSQL tables.</summary>
    public int Mutations { get; init; } = 10_000;

    /// <summary>Chunks of the timed transaction, and ordinary messages of the same mutations it is compared with [50].</summary>
    public int Chunks { get; init; } = 50;

    private IEnumerable<string> TransactionProblems()
    {
        if (Mode != TransactionMode)
        {
            yield break;
        }

        if (StartServer is null)
        {
            yield return "--mode transaction needs --start-server: the bench starts PostgreSQL and gives it to the server as its kv store";
        }

        if (IsKafka || IsSqs)
        {
            yield return "--mode transaction runs on the embedded backend; leave out the Kafka and SQS options";
        }

        if (Mutations is < 1 or > 1_000_000)
        {
            yield return "--mutations must be between 1 and 1000000";
        }

        if (Chunks < 1 || Chunks > Mutations || Chunks > 1000)
        {
            yield return "--chunks must be between 1 and 1000, and not more than --mutations";
        }
    }
}
