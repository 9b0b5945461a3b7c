using Npgsql;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Postgres.ControlPlane;

namespace WalService.Postgres.Ledger;

/// <summary>
/// The message ledger shared by several instances, in the control-plane database: a batch of status updates is one
/// statement (arrays unnested into an upsert that keeps the latest change of each message); idempotency keys are
/// claimed atomically, so of two instances claiming one key exactly one wins.
/// </summary>
internal sealed class PostgresMessageLedger(PostgresSchema schema) : IMessageLedgerStore
{
    public async Task<string> ClaimAsync(string ns, string key, string messageId, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var connection = await schema.OpenAsync(cancellationToken);
        await using var claim = new NpgsqlCommand(
            """
            INSERT INTO wal_ledger_keys (ns, key, id, expires_ms) VALUES ($1, $2, $3, $5)
            ON CONFLICT (ns, key) DO UPDATE SET id = excluded.id, expires_ms = excluded.expires_ms
            WHERE wal_ledger_keys.expires_ms <= $4
            RETURNING id
            """,
            connection);
        claim.Parameters.AddWithValue(ns);
        claim.Parameters.AddWithValue(key);
        claim.Parameters.AddWithValue(messageId);
        claim.Parameters.AddWithValue(now.ToUnixTimeMilliseconds());
        claim.Parameters.AddWithValue(expiresAt.ToUnixTimeMilliseconds());
        if (await claim.ExecuteScalarAsync(cancellationToken) is string claimed)
        {
            return claimed;
        }

        await using var holder = new NpgsqlCommand("SELECT id FROM wal_ledger_keys WHERE ns = $1 AND key = $2", connection);
        holder.Parameters.AddWithValue(ns);
        holder.Parameters.AddWithValue(key);
        return (string)(await holder.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task ReleaseAsync(string ns, string key, string messageId, CancellationToken cancellationToken)
    {
        await using var connection = await schema.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("DELETE FROM wal_ledger_keys WHERE ns = $1 AND key = $2 AND id = $3", connection);
        command.Parameters.AddWithValue(ns);
        command.Parameters.AddWithValue(key);
        command.Parameters.AddWithValue(messageId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task RecordAsync(IReadOnlyList<LedgerUpdate> updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        // One row per message: an upsert may not touch a row twice, and the latest change is the one to keep.
        var latest = updates.GroupBy(u => (u.Namespace, u.MessageId)).Select(g => g.MaxBy(u => u.At)).ToList();
        if (latest.Count == 0)
        {
            return;
        }

        await using var connection = await schema.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO wal_ledger_status (ns, id, state, attempts, last_error, next_ms, applied_ms, at_ms)
            SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::integer[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[])
            ON CONFLICT (ns, id) DO UPDATE SET
                state = excluded.state, attempts = excluded.attempts, last_error = excluded.last_error,
                next_ms = excluded.next_ms, applied_ms = excluded.applied_ms, at_ms = excluded.at_ms
            WHERE excluded.at_ms >= wal_ledger_status.at_ms
            """,
            connection);
        command.Parameters.AddWithValue(latest.Select(u => u.Namespace).ToArray());
        command.Parameters.AddWithValue(latest.Select(u => u.MessageId).ToArray());
        command.Parameters.AddWithValue(latest.Select(u => (int)u.State).ToArray());
        command.Parameters.AddWithValue(latest.Select(u => u.Attempts).ToArray());
        command.Parameters.AddWithValue(latest.Select(u => u.LastError).ToArray());
        command.Parameters.AddWithValue(latest.Select(u => u.NextAttemptAt?.ToUnixTimeMilliseconds()).ToArray());
        command.Parameters.AddWithValue(latest.Select(u => u.AppliedAt?.ToUnixTimeMilliseconds()).ToArray());
        command.Parameters.AddWithValue(latest.Select(u => u.At.ToUnixTimeMilliseconds()).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<MessageStatus?> GetStatusAsync(string ns, string messageId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await schema.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"SELECT {LedgerRow.Columns} FROM wal_ledger_status WHERE ns = $1 AND id = $2",
            connection);
        command.Parameters.AddWithValue(ns);
        command.Parameters.AddWithValue(messageId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await LedgerRow.ReadStatusAsync(reader, messageId, cancellationToken);
    }

    public async Task<IReadOnlyDictionary<string, PastDelivery>> PastDeliveriesAsync(string ns, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        var past = new Dictionary<string, PastDelivery>(StringComparer.Ordinal);
        if (messageIds.Count == 0)
        {
            return past;
        }

        await using var connection = await schema.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT id, state, attempts FROM wal_ledger_status WHERE ns = $1 AND id = ANY($2) AND (state = ANY($3) OR attempts > 0)",
            connection);
        command.Parameters.AddWithValue(ns);
        command.Parameters.AddWithValue(messageIds.ToArray());
        command.Parameters.AddWithValue(new[] { (int)MessageState.Applied, (int)MessageState.DeadLettered });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            past[reader.GetString(0)] = new PastDelivery(LedgerRow.IsFinished((MessageState)reader.GetInt32(1)), reader.GetInt32(2));
        }

        return past;
    }

    public async Task TrimAsync(string ns, DateTimeOffset appliedBefore, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await schema.OpenAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("DELETE FROM wal_ledger_status WHERE ns = $1 AND applied_ms < $2") { Parameters = { new() { Value = ns }, new() { Value = appliedBefore.ToUnixTimeMilliseconds() } } },
                new NpgsqlBatchCommand("DELETE FROM wal_ledger_keys WHERE ns = $1 AND expires_ms <= $2") { Parameters = { new() { Value = ns }, new() { Value = now.ToUnixTimeMilliseconds() } } },
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }
}
