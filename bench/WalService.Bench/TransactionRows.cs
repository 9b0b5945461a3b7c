using Google.Protobuf;
using Npgsql;
using WalService.Api.V1;

namespace WalService.Bench;

/// <summary>
/// The mutations the transaction mode applies to PostgreSQL: <c>count</c> puts of <c>valueBytes</c>-byte values over
/// three tables in turn, keys of one width (so each mutation encodes to the same size); and the rows of those tables,
/// emptied before each measurement and counted to see when a write is applied.
/// </summary>
internal sealed class TransactionRows(int count, int valueBytes)
{
    public static readonly string[] Tables = ["bench_items", "bench_index", "bench_audit"];

    public KvMutationBatch Mutations()
    {
        var value = ByteString.CopyFrom(new byte[valueBytes]);
        var batch = new KvMutationBatch();
        for (var i = 0; i < count; i++)
        {
            batch.Mutations.Add(new KvMutation { Table = Tables[i % Tables.Length], PartitionKey = $"key-{i:D7}", SortKey = "v", PutValue = value });
        }

        return batch;
    }

    /// <summary>The mutations cut in order into <paramref name="parts"/> batches of equal count (the last may have fewer).</summary>
    public List<KvMutationBatch> Parts(int parts)
    {
        var all = Mutations().Mutations;
        var per = PerPart(parts);
        return Enumerable.Range(0, parts).Select(p =>
        {
            var batch = new KvMutationBatch();
            batch.Mutations.AddRange(all.Skip(p * per).Take(per));
            return batch;
        }).ToList();
    }

    /// <summary>
    /// The chunk size under which <c>WalClient.WriteTransactionAsync</c> cuts the mutations into <paramref name="parts"/>
    /// chunks: as many mutations as <see cref="Parts"/> puts in one, each counted as the client counts it.
    /// </summary>
    public int ChunkBytes(int parts)
    {
        var one = Mutations().Mutations[0];
        return PerPart(parts) * (CodedOutputStream.ComputeMessageSize(one) + 1);
    }

    /// <summary>Empties the three tables (creating them through the kv store happened at warm-up).</summary>
    public static async Task ClearAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($"TRUNCATE {string.Join(", ", Tables.Select(t => $"\"{t}\""))}");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The rows of the three tables, counted in one statement (one snapshot).</summary>
    public static async Task<long> VisibleAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT " + string.Join(" + ", Tables.Select(t => $"(SELECT count(*) FROM \"{t}\")")));
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private int PerPart(int parts) => (count + parts - 1) / parts;
}
