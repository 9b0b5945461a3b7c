using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Sqlite.Storage;

namespace WalService.Sqlite.Ledger;

/// <summary>
/// The transaction staging of a single node, in the control-plane file, for namespaces whose log is Kafka or SQS:
/// tables <c>staged_transactions</c> (one header row a transaction) and <c>staged_chunks</c>. One writer stages chunks
/// one after another, so chunks of one transaction sent at once never both complete it.
/// </summary>
internal sealed class SqliteTransactionStaging : ITransactionStagingStore, IAsyncDisposable
{
    private readonly SqliteDatabase _database;
    private readonly SqliteWriter _writer;

    /// <param name="storage">Checks the file at start and collects its faults; null: not watched.</param>
    public SqliteTransactionStaging(string path, StorageHealth? storage = null)
    {
        _database = new SqliteDatabase(path, storage);
        using (var connection = _database.Open())
        {
            SqliteDatabase.Execute(connection, """
                CREATE TABLE IF NOT EXISTS staged_transactions (
                    ns TEXT NOT NULL, txn TEXT NOT NULL, id TEXT NOT NULL, state INTEGER NOT NULL,
                    first_ms INTEGER NOT NULL, staged INTEGER NOT NULL, bytes INTEGER NOT NULL, last_seq INTEGER,
                    marker_due_ms INTEGER, done_ms INTEGER,
                    PRIMARY KEY (ns, txn)
                ) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS staged_transactions_id ON staged_transactions(ns, id);
                CREATE TABLE IF NOT EXISTS staged_chunks (
                    ns TEXT NOT NULL, txn TEXT NOT NULL, sequence INTEGER NOT NULL, meta BLOB, payload BLOB NOT NULL,
                    delivered INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (ns, txn, sequence)
                ) WITHOUT ROWID;
                """);
        }

        _writer = new SqliteWriter(_database);
    }

    public Task<ChunkStaging> StageAsync(
        string ns, string candidateId, TransactionChunk chunk, ReadOnlyMemory<byte> payload, byte[]? lastMeta, DateTimeOffset now, TimeSpan markerGrace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var body = payload.ToArray();
        var nowMs = now.ToUnixTimeMilliseconds();
        return _writer.ExecuteAsync(db =>
        {
            var txn = chunk.TransactionId;
            var header = ReadHeader(db, ns, txn);
            var chunkStaged = db.Scalar("SELECT 1 FROM staged_chunks WHERE ns = $p0 AND txn = $p1 AND sequence = $p2", ns, txn, chunk.Sequence) is not null;
            var highest = chunk.Last ? db.Scalar("SELECT max(sequence) FROM staged_chunks WHERE ns = $p0 AND txn = $p1", ns, txn) as long? : null;
            var decision = StagingRules.Decide(header, chunk, chunkStaged, (int?)highest, body.Length);
            if (decision.Answer is { } answer)
            {
                return new ChunkStaging(answer);
            }

            var next = decision.Next! with { Id = header?.Id ?? candidateId };
            if (header is null)
            {
                db.Execute("INSERT INTO staged_transactions (ns, txn, id, state, first_ms, staged, bytes) VALUES ($p0, $p1, $p2, 0, $p3, 0, 0)", ns, txn, next.Id, nowMs);
            }

            db.Execute(
                "INSERT INTO staged_chunks (ns, txn, sequence, meta, payload) VALUES ($p0, $p1, $p2, $p3, $p4)",
                ns, txn, chunk.Sequence, chunk.Last ? lastMeta : null, body);
            var complete = next.IsComplete;
            db.Execute(
                "UPDATE staged_transactions SET staged = $p2, bytes = $p3, last_seq = $p4, state = $p5, marker_due_ms = $p6 WHERE ns = $p0 AND txn = $p1",
                ns, txn, next.Staged, next.Bytes, next.LastSeq, complete ? StagingRules.Complete : StagingRules.Staging, complete ? nowMs + (long)markerGrace.TotalMilliseconds : null);
            return new ChunkStaging(AppendResult.Persisted(next.Id), complete ? Marker(db, ns, txn, next) : null);
        });
    }

    public Task MarkEnqueuedAsync(string ns, string transactionId, CancellationToken cancellationToken) =>
        _writer.ExecuteAsync(db => db.Execute("UPDATE staged_transactions SET marker_due_ms = NULL WHERE ns = $p0 AND txn = $p1", ns, transactionId));

    public Task<IReadOnlyList<PendingMarker>> ClaimPendingMarkersAsync(string ns, DateTimeOffset now, TimeSpan markerGrace, CancellationToken cancellationToken)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        return _writer.ExecuteAsync<IReadOnlyList<PendingMarker>>(db =>
        {
            var due = new List<(string Txn, StagedHeader Header)>();
            using (var reader = db.Query(
                $"SELECT {HeaderColumns}, txn FROM staged_transactions WHERE ns = $p0 AND state = 1 AND marker_due_ms <= $p1", ns, nowMs))
            {
                while (reader.Read())
                {
                    due.Add((reader.GetString(5), Header(reader)));
                }
            }

            var markers = new List<PendingMarker>(due.Count);
            foreach (var (txn, header) in due)
            {
                db.Execute("UPDATE staged_transactions SET marker_due_ms = $p2 WHERE ns = $p0 AND txn = $p1", ns, txn, nowMs + (long)markerGrace.TotalMilliseconds);
                markers.Add(Marker(db, ns, txn, header));
            }

            return markers;
        });
    }

    public Task<IReadOnlyList<StagedChunk>> ReadChunksAsync(string ns, string transactionId, CancellationToken cancellationToken) =>
        ReadChunksAsync(_database, "staged_chunks", ns, transactionId, cancellationToken);

    /// <summary>The chunks of a transaction in <paramref name="table"/> (this store's, or the embedded log's own), in sequence order.</summary>
    internal static async Task<IReadOnlyList<StagedChunk>> ReadChunksAsync(SqliteDatabase database, string table, string ns, string transactionId, CancellationToken cancellationToken)
    {
        await using var connection = database.OpenForRead();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT sequence, payload, delivered FROM {table} WHERE ns = $ns AND txn = $txn ORDER BY sequence";
        command.Parameters.AddWithValue("$ns", ns);
        command.Parameters.AddWithValue("$txn", transactionId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var chunks = new List<StagedChunk>();
        while (await reader.ReadAsync(cancellationToken))
        {
            chunks.Add(new StagedChunk(reader.GetInt32(0), (byte[])reader[1], reader.GetInt64(2) != 0));
        }

        return chunks;
    }

    public Task MarkDeliveredAsync(string ns, string transactionId, int sequence, CancellationToken cancellationToken) =>
        _writer.ExecuteAsync(db => db.Execute("UPDATE staged_chunks SET delivered = 1 WHERE ns = $p0 AND txn = $p1 AND sequence = $p2", ns, transactionId, sequence));

    public Task FinishAsync(string ns, string transactionId, DateTimeOffset now, CancellationToken cancellationToken) =>
        _writer.ExecuteAsync(db => Finish(db, ns, transactionId, now.ToUnixTimeMilliseconds()));

    public async Task<StagedHeader?> FindAsync(string ns, string messageId, CancellationToken cancellationToken)
    {
        await using var connection = _database.OpenForRead();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {HeaderColumns} FROM staged_transactions WHERE ns = $ns AND id = $id";
        command.Parameters.AddWithValue("$ns", ns);
        command.Parameters.AddWithValue("$id", messageId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Header(reader) : null;
    }

    public Task<IReadOnlyList<ExpiredTransaction>> ExpireAsync(string ns, DateTimeOffset startedBefore, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var beforeMs = startedBefore.ToUnixTimeMilliseconds();
        return _writer.ExecuteAsync<IReadOnlyList<ExpiredTransaction>>(db =>
        {
            var found = new List<(string Txn, string Id, long FirstMs, int? LastSeq)>();
            using (var reader = db.Query("SELECT txn, id, first_ms, last_seq FROM staged_transactions WHERE ns = $p0 AND state = 0 AND first_ms < $p1", ns, beforeMs))
            {
                while (reader.Read())
                {
                    found.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt32(3)));
                }
            }

            var expired = new List<ExpiredTransaction>(found.Count);
            foreach (var (txn, id, firstMs, lastSeq) in found)
            {
                var staged = new HashSet<int>();
                byte[]? lastMeta = null;
                using (var reader = db.Query("SELECT sequence, meta FROM staged_chunks WHERE ns = $p0 AND txn = $p1", ns, txn))
                {
                    while (reader.Read())
                    {
                        staged.Add(reader.GetInt32(0));
                        lastMeta ??= reader.IsDBNull(1) ? null : (byte[])reader[1];
                    }
                }

                db.Execute("UPDATE staged_transactions SET state = 3 WHERE ns = $p0 AND txn = $p1", ns, txn);
                expired.Add(new ExpiredTransaction(txn, id, DateTimeOffset.FromUnixTimeMilliseconds(firstMs), StagingRules.MissingSequences(staged, lastSeq), lastSeq is not null, lastMeta));
            }

            return expired;
        });
    }

    public Task PurgeAsync(string ns, IReadOnlyCollection<string> messageIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        var nowMs = now.ToUnixTimeMilliseconds();
        return _writer.ExecuteAsync(db =>
        {
            foreach (var id in messageIds)
            {
                if (db.Scalar("SELECT txn FROM staged_transactions WHERE ns = $p0 AND id = $p1", ns, id) is string txn)
                {
                    Finish(db, ns, txn, nowMs);
                }
            }

            return messageIds.Count;
        });
    }

    public Task TrimAsync(string ns, DateTimeOffset? before, CancellationToken cancellationToken) =>
        _writer.ExecuteAsync(db =>
        {
            if (before is { } over)
            {
                return db.Execute("DELETE FROM staged_transactions WHERE ns = $p0 AND state = 2 AND done_ms < $p1", ns, over.ToUnixTimeMilliseconds());
            }

            db.Execute("DELETE FROM staged_chunks WHERE ns = $p0", ns);
            return db.Execute("DELETE FROM staged_transactions WHERE ns = $p0", ns);
        });

    public async ValueTask DisposeAsync() => await _writer.DisposeAsync();

    private const string HeaderColumns = "id, state, staged, bytes, last_seq";

    private static StagedHeader? ReadHeader(WriteContext db, string ns, string txn)
    {
        using var reader = db.Query($"SELECT {HeaderColumns} FROM staged_transactions WHERE ns = $p0 AND txn = $p1", ns, txn);
        return reader.Read() ? Header(reader) : null;
    }

    private static StagedHeader Header(Microsoft.Data.Sqlite.SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetInt32(4));

    private static PendingMarker Marker(WriteContext db, string ns, string txn, StagedHeader header)
    {
        var last = header.LastSeq!.Value;
        var meta = (byte[])db.Scalar("SELECT meta FROM staged_chunks WHERE ns = $p0 AND txn = $p1 AND sequence = $p2", ns, txn, last)!;
        return new PendingMarker(txn, header.Id, last + 1, meta);
    }

    private static int Finish(WriteContext db, string ns, string txn, long nowMs)
    {
        db.Execute("DELETE FROM staged_chunks WHERE ns = $p0 AND txn = $p1", ns, txn);
        return db.Execute("UPDATE staged_transactions SET state = 2, done_ms = $p2, marker_due_ms = NULL WHERE ns = $p0 AND txn = $p1", ns, txn, nowMs);
    }
}
