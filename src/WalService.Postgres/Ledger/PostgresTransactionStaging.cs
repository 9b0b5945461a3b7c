using Npgsql;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Postgres.ControlPlane;

namespace WalService.Postgres.Ledger;

/// <summary>
/// The transaction staging shared by several instances, in the control-plane database (<c>wal_staged_transactions</c>,
/// <c>wal_staged_chunks</c>). A chunk is staged in one database transaction that first locks its transaction's header
/// row (<c>FOR UPDATE</c>, inserted when missing), so chunks of one transaction arriving at once on several instances
/// are staged one after another, and exactly one of them completes it.
/// </summary>
internal sealed class PostgresTransactionStaging(PostgresSchema schema) : ITransactionStagingStore
{
    private const string HeaderColumns = "id, state, staged, bytes, last_seq";

    public async Task<ChunkStaging> StageAsync(
        string ns, string candidateId, TransactionChunk chunk, ReadOnlyMemory<byte> payload, byte[]? lastMeta, DateTimeOffset now, TimeSpan markerGrace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var txn = chunk.TransactionId;
        var nowMs = now.ToUnixTimeMilliseconds();
        await using var connection = await schema.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(
            connection,
            "INSERT INTO wal_staged_transactions (ns, txn, id, state, first_ms, staged, bytes) VALUES ($1, $2, $3, 0, $4, 0, 0) ON CONFLICT DO NOTHING",
            cancellationToken,
            ns, txn, candidateId, nowMs);
        var header = await ReadHeaderAsync(connection, ns, txn, cancellationToken);
        var chunkStaged = await ScalarAsync(connection, "SELECT 1 FROM wal_staged_chunks WHERE ns = $1 AND txn = $2 AND sequence = $3", cancellationToken, ns, txn, chunk.Sequence) is not null;
        var highest = chunk.Last ? await ScalarAsync(connection, "SELECT max(sequence) FROM wal_staged_chunks WHERE ns = $1 AND txn = $2", cancellationToken, ns, txn) as int? : null;
        var decision = StagingRules.Decide(header, chunk, chunkStaged, highest, payload.Length);
        if (decision.Answer is { } answer)
        {
            // A repeat or a refusal changes nothing, not even the header a first chunk inserted.
            await transaction.RollbackAsync(cancellationToken);
            return new ChunkStaging(answer);
        }

        var next = decision.Next! with { Id = header.Id };
        await ExecuteAsync(
            connection,
            "INSERT INTO wal_staged_chunks (ns, txn, sequence, meta, payload) VALUES ($1, $2, $3, $4, $5)",
            cancellationToken,
            ns, txn, chunk.Sequence, (object?)(chunk.Last ? lastMeta : null) ?? DBNull.Value, payload.ToArray());
        var complete = next.IsComplete;
        await ExecuteAsync(
            connection,
            "UPDATE wal_staged_transactions SET staged = $3, bytes = $4, last_seq = $5, state = $6, marker_due_ms = $7 WHERE ns = $1 AND txn = $2",
            cancellationToken,
            ns, txn, next.Staged, next.Bytes, (object?)next.LastSeq ?? DBNull.Value, complete ? StagingRules.Complete : StagingRules.Staging,
            complete ? (object)(nowMs + (long)markerGrace.TotalMilliseconds) : DBNull.Value);
        var marker = complete ? await MarkerAsync(connection, ns, txn, next, cancellationToken) : null;
        await transaction.CommitAsync(cancellationToken);
        return new ChunkStaging(AppendResult.Persisted(next.Id), marker);
    }

    public async Task MarkEnqueuedAsync(string ns, string transactionId, CancellationToken cancellationToken)
    {
        await using var connection = await schema.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "UPDATE wal_staged_transactions SET marker_due_ms = NULL WHERE ns = $1 AND txn = $2", cancellationToken, ns, transactionId);
    }

    public async Task<IReadOnlyList<PendingMarker>> ClaimPendingMarkersAsync(string ns, DateTimeOffset now, TimeSpan markerGrace, CancellationToken cancellationToken)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        await using var connection = await schema.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var due = new List<(string Txn, StagedHeader Header)>();
        await using (var command = Command(
            connection,
            $"SELECT {HeaderColumns}, txn FROM wal_staged_transactions WHERE ns = $1 AND state = 1 AND marker_due_ms <= $2 FOR UPDATE SKIP LOCKED",
            ns, nowMs))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                due.Add((reader.GetString(5), Header(reader)));
            }
        }

        var markers = new List<PendingMarker>(due.Count);
        foreach (var (txn, header) in due)
        {
            await ExecuteAsync(connection, "UPDATE wal_staged_transactions SET marker_due_ms = $3 WHERE ns = $1 AND txn = $2", cancellationToken, ns, txn, nowMs + (long)markerGrace.TotalMilliseconds);
            markers.Add(await MarkerAsync(connection, ns, txn, header, cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return markers;
    }

    public async Task<IReadOnlyList<StagedChunk>> ReadChunksAsync(string ns, string transactionId, CancellationToken cancellationToken)
    {
        await using var connection = await schema.OpenAsync(cancellationToken);
        await using var command = Command(connection, "SELECT sequence, payload, delivered FROM wal_staged_chunks WHERE ns = $1 AND txn = $2 ORDER BY sequence", ns, transactionId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var chunks = new List<StagedChunk>();
        while (await reader.ReadAsync(cancellationToken))
        {
            chunks.Add(new StagedChunk(reader.GetInt32(0), (byte[])reader[1], reader.GetBoolean(2)));
        }

        return chunks;
    }

    public async Task MarkDeliveredAsync(string ns, string transactionId, int sequence, CancellationToken cancellationToken)
    {
        await using var connection = await schema.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "UPDATE wal_staged_chunks SET delivered = true WHERE ns = $1 AND txn = $2 AND sequence = $3", cancellationToken, ns, transactionId, sequence);
    }

    public async Task FinishAsync(string ns, string transactionId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await schema.OpenAsync(cancellationToken);
        await FinishAsync(connection, ns, [transactionId], now.ToUnixTimeMilliseconds(), cancellationToken);
    }

    public async Task<StagedHeader?> FindAsync(string ns, string messageId, CancellationToken cancellationToken)
    {
        await using var connection = await schema.OpenAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT {HeaderColumns} FROM wal_staged_transactions WHERE ns = $1 AND id = $2", ns, messageId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Header(reader) : null;
    }

    public async Task<IReadOnlyList<ExpiredTransaction>> ExpireAsync(string ns, DateTimeOffset startedBefore, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await schema.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var found = new List<(string Txn, string Id, long FirstMs, int? LastSeq)>();
        await using (var command = Command(
            connection,
            "UPDATE wal_staged_transactions SET state = 3 WHERE ns = $1 AND state = 0 AND first_ms < $2 RETURNING txn, id, first_ms, last_seq",
            ns, startedBefore.ToUnixTimeMilliseconds()))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                found.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt32(3)));
            }
        }

        var expired = new List<ExpiredTransaction>(found.Count);
        foreach (var (txn, id, firstMs, lastSeq) in found)
        {
            var staged = new HashSet<int>();
            byte[]? lastMeta = null;
            await using (var command = Command(connection, "SELECT sequence, meta FROM wal_staged_chunks WHERE ns = $1 AND txn = $2", ns, txn))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    staged.Add(reader.GetInt32(0));
                    lastMeta ??= reader.IsDBNull(1) ? null : (byte[])reader[1];
                }
            }

            expired.Add(new ExpiredTransaction(txn, id, DateTimeOffset.FromUnixTimeMilliseconds(firstMs), StagingRules.MissingSequences(staged, lastSeq), lastSeq is not null, lastMeta));
        }

        await transaction.CommitAsync(cancellationToken);
        return expired;
    }

    public async Task PurgeAsync(string ns, IReadOnlyCollection<string> messageIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        if (messageIds.Count == 0)
        {
            return;
        }

        await using var connection = await schema.OpenAsync(cancellationToken);
        var txns = new List<string>();
        await using (var command = Command(connection, "SELECT txn FROM wal_staged_transactions WHERE ns = $1 AND id = ANY($2)", ns, messageIds.ToArray()))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                txns.Add(reader.GetString(0));
            }
        }

        await FinishAsync(connection, ns, txns, now.ToUnixTimeMilliseconds(), cancellationToken);
    }

    public async Task TrimAsync(string ns, DateTimeOffset? before, CancellationToken cancellationToken)
    {
        await using var connection = await schema.OpenAsync(cancellationToken);
        if (before is { } over)
        {
            await ExecuteAsync(connection, "DELETE FROM wal_staged_transactions WHERE ns = $1 AND state = 2 AND done_ms < $2", cancellationToken, ns, over.ToUnixTimeMilliseconds());
            return;
        }

        await ExecuteAsync(connection, "DELETE FROM wal_staged_chunks WHERE ns = $1", cancellationToken, ns);
        await ExecuteAsync(connection, "DELETE FROM wal_staged_transactions WHERE ns = $1", cancellationToken, ns);
    }

    private static async Task FinishAsync(NpgsqlConnection connection, string ns, List<string> txns, long nowMs, CancellationToken cancellationToken)
    {
        if (txns.Count == 0)
        {
            return;
        }

        var names = txns.ToArray();
        await ExecuteAsync(connection, "DELETE FROM wal_staged_chunks WHERE ns = $1 AND txn = ANY($2)", cancellationToken, ns, names);
        await ExecuteAsync(connection, "UPDATE wal_staged_transactions SET state = 2, done_ms = $3, marker_due_ms = NULL WHERE ns = $1 AND txn = ANY($2)", cancellationToken, ns, names, nowMs);
    }

    private static async Task<StagedHeader> ReadHeaderAsync(NpgsqlConnection connection, string ns, string txn, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, $"SELECT {HeaderColumns} FROM wal_staged_transactions WHERE ns = $1 AND txn = $2 FOR UPDATE", ns, txn);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return Header(reader);
    }

    private static StagedHeader Header(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetInt32(4));

    private static async Task<PendingMarker> MarkerAsync(NpgsqlConnection connection, string ns, string txn, StagedHeader header, CancellationToken cancellationToken)
    {
        var last = header.LastSeq!.Value;
        var meta = (byte[])(await ScalarAsync(connection, "SELECT meta FROM wal_staged_chunks WHERE ns = $1 AND txn = $2 AND sequence = $3", cancellationToken, ns, txn, last))!;
        return new PendingMarker(txn, header.Id, last + 1, meta);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object[] args)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var arg in args)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = arg });
        }

        return command;
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] args)
    {
        await using var command = Command(connection, sql, args);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] args)
    {
        await using var command = Command(connection, sql, args);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DBNull ? null : value;
    }
}
