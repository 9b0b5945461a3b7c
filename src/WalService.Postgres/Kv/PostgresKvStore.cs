using System.Collections.Concurrent;
using Npgsql;
using WalService.Api.V1;
using WalService.Core.Abstractions;

namespace WalService.Postgres.Kv;

/// <summary>
/// A kv store on PostgreSQL, named after its connection string (<c>KvTarget.store</c> = the name under
/// <c>ConnectionStrings</c>). Each kv table is a real table (<c>partition_key, sort_key, value</c>). A message's
/// mutations and its id commit in one transaction, so a message delivered twice applies once.
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
            foreach (var m in batch.Mutations)
            {
                mutations.BatchCommands.Add(Command(m.Table.Length > 0 ? m.Table : defaultTable, m));
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

    private static NpgsqlBatchCommand Command(string table, KvMutation m)
    {
        var command = m.OpCase == KvMutation.OpOneofCase.Delete
            ? new NpgsqlBatchCommand($"DELETE FROM {Quote(table)} WHERE partition_key = $1 AND sort_key = $2")
            : new NpgsqlBatchCommand($"INSERT INTO {Quote(table)} (partition_key, sort_key, value) VALUES ($1, $2, $3) ON CONFLICT (partition_key, sort_key) DO UPDATE SET value = excluded.value");
        command.Parameters.Add(new NpgsqlParameter { Value = m.PartitionKey });
        command.Parameters.Add(new NpgsqlParameter { Value = m.SortKey });
        if (m.OpCase != KvMutation.OpOneofCase.Delete)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = m.PutValue.ToByteArray() });
        }

        return command;
    }

    /// <summary>Table names are validated by the kv target (<c>^[A-Za-z_][A-Za-z0-9_]{0,62}$</c>); quoting keeps their case.</summary>
    private static string Quote(string table) => "\"" + table + "\"";

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
