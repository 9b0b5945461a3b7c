using Google.Protobuf;
using Npgsql;
using WalService.Api.V1;

namespace WalService.PostgresTests;

/// <summary>
/// A kv transaction over three PostgreSQL tables: its mutations (100-byte values, the tables in turn), its chunks, and
/// how many of its rows each table shows, read in one statement so the three counts are one snapshot.
/// </summary>
internal sealed class KvTransactionRows(string prefix, int count)
{
    public static readonly string[] Tables = ["txn_items", "txn_index", "txn_audit"];

    public int Count { get; } = count;

    public KvMutationBatch Mutations()
    {
        var batch = new KvMutationBatch();
        for (var i = 0; i < Count; i++)
        {
            var value = ByteString.CopyFromUtf8($"{prefix}-{i:D6}-".PadRight(100, 'v'));
            batch.Mutations.Add(new KvMutation { Table = Tables[i % Tables.Length], PartitionKey = $"{prefix}-{i:D6}", SortKey = "v", PutValue = value });
        }

        return batch;
    }

    /// <summary>The transaction's <paramref name="chunkCount"/> chunks, each an equal share of the mutations in order.</summary>
    public List<WriteToLogRequest> Chunks(string ns, string transactionId, int chunkCount)
    {
        var mutations = Mutations().Mutations;
        var per = (Count + chunkCount - 1) / chunkCount;
        return Enumerable.Range(0, chunkCount).Select(sequence =>
        {
            var batch = new KvMutationBatch();
            batch.Mutations.AddRange(mutations.Skip(sequence * per).Take(per));
            return new WriteToLogRequest
            {
                Namespace = ns,
                Payload = batch.ToByteString(),
                Chunk = new Chunk { TransactionId = transactionId, Sequence = sequence, Last = sequence == chunkCount - 1 },
            };
        }).ToList();
    }

    /// <summary>The transaction's rows each table shows, in the order of <see cref="Tables"/>, from one snapshot.</summary>
    public async Task<long[]> VisibleAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        var counts = string.Join(", ", Tables.Select(t => $"(SELECT count(*) FROM \"{t}\" WHERE partition_key LIKE $1)"));
        await using var command = database.CreateCommand($"SELECT {counts}");
        command.Parameters.AddWithValue(prefix + "-%");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return [.. Tables.Select((_, i) => reader.GetInt64(i))];
    }
}
