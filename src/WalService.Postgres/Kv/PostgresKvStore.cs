using System.Collections.Concurrent;
using Npgsql;
using WalService.Api.V1;
using WalService.Core.Abstractions;

namespace WalService.Postgres.Kv;

/// <summary>
/// A kv store on PostgreSQL, named after its connection string (<c>KvTarget.store</c> = the name under
/// <c>ConnectionStrings</c>). Each kv table is a real table (<c>partition_key, sort_key, value</c>). A message's
/// mutations and its id commit in one transaction, so a message delivered twice applies once; they are applied as
/// array statements per table (see <see cref="Commands"/>), so a large transaction is as quick as a few small messages.
/// </summary>
internal sealed class PostgresKvStore(string name, NpgsqlDataSource dataSource) : IKvStore
{
    private const string AppliedTable = "wal_kv_applied";
    private readonly ConcurrentDictionary<string, bool> _tables = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    public async Task EnsureTableAsync(string table, CancellationToken cancellationToken)
    {
        if (_tables.ContainsKey(table))
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Serialises CREATE TABLE IF NOT EXISTS between instances, which PostgreSQL does not do by itself.
        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(hashtext('wal_kv_tables'))", cancellationToken);
        await ExecuteAsync(
            connection,
            transaction,
            $"CREATE TABLE IF NOT EXISTS {AppliedTable} (ns text NOT NULL, message_id text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (ns, message_id))",
            cancellationToken);
        await ExecuteAsync(
            connection,
            transaction,
            $"CREATE TABLE IF NOT EXISTS {Quote(table)} (partition_key text NOT NULL, sort_key text NOT NULL, value bytea NOT NULL, PRIMARY KEY (partition_key, sort_key))",
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        _tables[table] = true;
    }

    public async Task<bool> ApplyAsync(string ns, string messageId, string defaultTable, KvMutationBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var tables = batch.Mutations.Select(m => m.Table.Length > 0 ? m.Table : defaultTable).Append(defaultTable).Distinct(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            await EnsureTableAsync(table, cancellationToken);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var applied = new NpgsqlCommand($"INSERT INTO {AppliedTable} (ns, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", connection, transaction))
        {
            applied.Parameters.AddWithValue(ns);
            applied.Parameters.AddWithValue(messageId);
            if (await applied.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return false;
            }
        }

        await using (var mutations = new NpgsqlBatch(connection, transaction))
        {
            foreach (var command in Commands(batch, defaultTable))
            {
                mutations.BatchCommands.Add(command);
            }

            if (mutations.BatchCommands.Count > 0)
            {
                await mutations.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<byte[]?> GetAsync(string table, string partitionKey, string sortKey, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT value FROM {Quote(table)} WHERE partition_key = $1 AND sort_key = $2");
        command.Parameters.AddWithValue(partitionKey);
        command.Parameters.AddWithValue(sortKey);
        try
        {
            return await command.ExecuteScalarAsync(cancellationToken) as byte[];
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return null;
        }
    }

    /// <summary>
    /// The batch's effect as at most two statements per table: every key ends as its last mutation left it (a later
    /// mutation of a key wins), so the keys deleted go in one <c>DELETE</c> and the keys put in one upsert, each taking
    /// its keys and values as arrays. Ten thousand mutations cost a few statements instead of ten thousand.
    /// </summary>
    private static IEnumerable<NpgsqlBatchCommand> Commands(KvMutationBatch batch, string defaultTable)
    {
        var last = new Dictionary<(string Table, string PartitionKey, string SortKey), KvMutation>();
        foreach (var m in batch.Mutations)
        {
            last[(m.Table.Length > 0 ? m.Table : defaultTable, m.PartitionKey, m.SortKey)] = m;
        }

        foreach (var table in last.GroupBy(e => e.Key.Table, StringComparer.Ordinal))
        {
            var deletes = table.Where(e => e.Value.OpCase == KvMutation.OpOneofCase.Delete).Select(e => e.Key).ToList();
            if (deletes.Count > 0)
            {
                var delete = new NpgsqlBatchCommand($"DELETE FROM {Quote(table.Key)} WHERE (partition_key, sort_key) IN (SELECT * FROM unnest($1::text[], $2::text[]))");
                delete.Parameters.Add(new NpgsqlParameter { Value = deletes.Select(k => k.PartitionKey).ToArray() });
                delete.Parameters.Add(new NpgsqlParameter { Value = deletes.Select(k => k.SortKey).ToArray() });
                yield return delete;
            }

            var puts = table.Where(e => e.Value.OpCase != KvMutation.OpOneofCase.Delete).ToList();
            if (puts.Count > 0)
            {
                var put = new NpgsqlBatchCommand(
                    $"INSERT INTO {Quote(table.Key)} (partition_key, sort_key, value) SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[]) " +
                    "ON CONFLICT (partition_key, sort_key) DO UPDATE SET value = excluded.value");
                put.Parameters.Add(new NpgsqlParameter { Value = puts.Select(e => e.Key.PartitionKey).ToArray() });
                put.Parameters.Add(new NpgsqlParameter { Value = puts.Select(e => e.Key.SortKey).ToArray() });
                put.Parameters.Add(new NpgsqlParameter { Value = puts.Select(e => e.Value.PutValue.ToByteArray()).ToArray() });
                yield return put;
            }
        }
    }

    /// <summary>Table names are validated by the kv target (<c>^[A-Za-z_][A-Za-z0-9_]{0,62}$</c>); quoting keeps their case.</summary>
    private static string Quote(string table) => "\"" + table + "\"";

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
