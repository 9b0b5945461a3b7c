using System.Text;
using Google.Protobuf;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Runtime;
using WalService.Sqlite.Storage;

namespace WalService.Sqlite.Log;

/// <summary>
/// The embedded log backend on SQLite (see <see cref="LogSchema"/>). All writes, leases included, go through one
/// <see cref="SqliteWriter"/>, so concurrent writes share a commit; reads use pooled connections of their own.
/// </summary>
internal sealed partial class SqliteLog : ILogBackend, IRegionBacklog, IAsyncDisposable
{
    /// <summary>Row <c>m</c> is not waiting behind an earlier undelivered message of its ordering key.</summary>
    private const string NotHeld = """
        (m.ordering_key IS NULL OR NOT EXISTS (
            SELECT 1 FROM messages p
            WHERE p.ns = m.ns AND p.ordering_key = m.ordering_key AND p.state < 2 AND p.seq < m.seq))
        """;

    /// <summary>Leases up to $p3 rows of namespace $p1 due by $p2, until $p0, the earliest due first.</summary>
    private static readonly string LeaseSql = LeaseStatement(string.Empty);

    private static readonly string NextDueSql = NextDueStatement(string.Empty);

    /// <summary>A row is keyed by its id's sequence (?8); one whose id has none takes the next named key.</summary>
    private static readonly string InsertSql = $"""
        INSERT INTO messages (seq, ns, id, state, due_ms, ordering_key, written_ms, meta, payload)
        VALUES (CASE WHEN ?8 IS NULL THEN (SELECT coalesce(max(seq), 0) + 1 FROM messages WHERE seq < {LogSchema.NamedBelow}) ELSE ?8 END,
                ?1, ?2, 0, ?3, ?4, ?5, ?6, ?7)
        """;

    private readonly SqliteDatabase _database;
    private readonly SqliteWriter _writer;
    private readonly TimeProvider _time;
    private readonly FileStream _lock;
    private readonly ILogger _logger;
    private readonly StorageHealth? _storage;

    /// <param name="path">The log's file.</param>
    /// <param name="time">The clock.</param>
    /// <param name="ids">Told the last id in the log, so new ids follow it.</param>
    /// <param name="storage">Checks the file at start and collects its faults; null: not watched.</param>
    /// <exception cref="InvalidOperationException">The file is damaged (see <see cref="StorageOptions.StartOnDamage"/>) or in use by another process.</exception>
    public SqliteLog(string path, TimeProvider time, MessageIdGenerator ids, StorageHealth? storage = null)
    {
        ArgumentNullException.ThrowIfNull(ids);
        _time = time;
        _storage = storage;
        _logger = storage?.Logger ?? NullLogger.Instance;
        _database = new SqliteDatabase(path, storage);
        _lock = TakeLock(path);
        using (var connection = _database.Open())
        {
            SqliteDatabase.Execute(connection, LogSchema.Create);
            Recover(connection, time, ids);
        }

        _writer = new SqliteWriter(_database);
    }

    public BackendKind Kind => BackendKind.Embedded;

    public IEnumerable<string> Validate(NamespaceConfig config, NamespaceConfig? current) => [];

    public Task PrepareAsync(NamespaceSettings ns, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A <see cref="SqliteSubscription"/>: leases live in the log itself, so there is nothing to start or stop.</summary>
    public ValueTask<ILogSubscription> SubscribeAsync(NamespaceSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Backend == BackendKind.Embedded
            ? ValueTask.FromResult<ILogSubscription>(new SqliteSubscription(this, settings.Name))
            : throw new ArgumentException($"namespace '{settings.Name}' is not an embedded namespace", nameof(settings));
    }

    public async Task<AppendResult[]> AppendAsync(IReadOnlyList<AppendRequest> requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (_database.Health?.RefuseWritesBecause is { } full)
        {
            return [.. requests.Select(_ => new AppendResult(Trilean.False, string.Empty, $"the embedded log refused the write: {full}"))];
        }

        var rows = new Row[requests.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            var (envelope, dedupWindow, chunk) = requests[i];
            var meta = envelope.Meta;
            rows[i] = new Row(
                meta,
                MessageIdGenerator.TryGetSequence(meta.MessageId, out var seq) ? seq : null,
                Encoding.UTF8.GetBytes(meta.Namespace),
                Encoding.UTF8.GetBytes(meta.MessageId),
                Replicas.OrderingScope(meta) is { Length: > 0 } scope ? Encoding.UTF8.GetBytes(scope) : null,
                EnvelopeCodec.EncodeMeta(meta),
                envelope.Payload.ToArray(),
                (long)dedupWindow.TotalMilliseconds,
                chunk);
        }

        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        try
        {
            return await _writer.ExecuteAsync(db => Insert(db, rows, nowMs));
        }
        catch (CommitUncertainException ex)
        {
            return [.. rows.Select(r => new AppendResult(Trilean.Unknown, r.Meta.MessageId, ex.Message))];
        }
        catch (Exception ex) when (ex is SqliteException or ObjectDisposedException)
        {
            return [.. rows.Select(_ => new AppendResult(Trilean.False, string.Empty, $"the embedded log refused the write: {ex.Message}"))];
        }
    }

    public async Task<IReadOnlyList<LeasedMessage>> LeaseDueAsync(string ns, int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var leaseUntil = (now + lease).ToUnixTimeMilliseconds();
        var sql = _skipped.IsEmpty ? LeaseSql : LeaseStatement(SkippedClause());
        try
        {
            return await _writer.ExecuteAsync(db => Lease(db, sql, ns, max, nowMs, leaseUntil));
        }
        catch (SqliteException ex) when (FileHealth.IsCorruption(ex))
        {
            // The query met a damaged page: lease row by row past it (see LeaseRowByRow).
            StorageLog.LeaseFellBack(_logger, ns, ex.Message);
            return await _writer.ExecuteAsync(db => LeaseRowByRow(db, ns, max, nowMs, leaseUntil));
        }
    }

    public async Task<DateTimeOffset?> NextDueAsync(string ns, CancellationToken cancellationToken)
    {
        // A message held back by an earlier one of its ordering key is due only after that one: counting it would
        // make a worker lease in a loop, finding nothing, until the earlier one is done.
        var sql = _skipped.IsEmpty ? NextDueSql : NextDueStatement(SkippedClause());
        try
        {
            var value = await ScalarAsync(sql, cancellationToken, ("$ns", ns));
            return value is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        }
        catch (SqliteException ex)
        {
            // Counted and reported; the worker retries after a pause and its next lease finds the damaged rows.
            _database.Health?.Failed(ex);
            throw;
        }
    }

    public Task AckAsync(IReadOnlyList<LeasedMessage> messages, DateTimeOffset appliedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var ms = appliedAt.ToUnixTimeMilliseconds();
        return _writer.ExecuteAsync(db =>
        {
            var ack = db.Raw("UPDATE messages SET state = 2, done_ms = ?1, meta = NULL, payload = NULL, last_error = NULL WHERE seq = ?2 AND state = 1 AND attempts = ?3")
                .Bind(1, ms);
            foreach (var message in messages)
            {
                ack.Bind(2, message.LeaseToken).Bind(3, message.Attempt).Run();
                if (message.Envelope.Meta.ChunkCount > 0 && db.Scalar("SELECT changes()") is 1L)
                {
                    // An applied transaction's chunks go with its acknowledgement (a stale lease's ack keeps them).
                    Finish(db, message.Envelope.Meta.Namespace, message.Envelope.Meta.TransactionId, ms);
                }
            }

            return messages.Count;
        });
    }

    public ValueTask RetryAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken) =>
        Verdict(message, "UPDATE messages SET state = 0, due_ms = $p0, last_error = $p3 WHERE seq = $p1 AND state = 1 AND attempts = $p2", at, error);

    public ValueTask DeadLetterAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken) =>
        Verdict(message, "UPDATE messages SET state = 3, done_ms = $p0, last_error = $p3 WHERE seq = $p1 AND state = 1 AND attempts = $p2", at, error);

    public ValueTask ReleaseAsync(LeasedMessage message, CancellationToken cancellationToken) =>
        Verdict(message, "UPDATE messages SET state = 0, due_ms = $p0, attempts = attempts - 1 WHERE seq = $p1 AND state = 1 AND attempts = $p2", _time.GetUtcNow(), null);

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        await _lock.DisposeAsync();
    }

    /// <summary>
    /// One process per log: recovery assumes that leases it finds belong to a process that died, which holds only
    /// while no other process uses the file. The lock is released when the process ends, however it ends.
    /// </summary>
    private static FileStream TakeLock(string path)
    {
        try
        {
            return new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException(
                $"the embedded log '{Path.GetFullPath(path)}' is in use by another WalService process; give each process its own Wal:DataDirectory",
                ex);
        }
    }

    /// <summary>
    /// Voids leases of a process that died and makes new ids follow the last one here. On a damaged file (started with
    /// <see cref="StorageOptions.StartOnDamage"/>) either may fail: that is reported, and the log starts without it.
    /// </summary>
    private void Recover(SqliteConnection connection, TimeProvider time, MessageIdGenerator ids)
    {
        try
        {
            // This process is the file's only user: leases held by a process that died are void, so their messages
            // are due again now (their attempt stays counted).
            using var recover = connection.CreateCommand();
            recover.CommandText = "UPDATE messages SET state = 0, due_ms = min(due_ms, $now) WHERE state = 1";
            recover.Parameters.AddWithValue("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
            recover.ExecuteNonQuery();
            // Rows are keyed by their ids' sequences: ids issued from now on must follow those already here, even
            // when the clock has stepped back since they were written.
            using var last = connection.CreateCommand();
            last.CommandText = $"SELECT id FROM messages WHERE seq >= {LogSchema.NamedBelow} ORDER BY seq DESC LIMIT 1";
            if (last.ExecuteScalar() is string lastId)
            {
                ids.EnsureAfter(lastId);
            }

            // A staging transaction holds an id with no row yet.
            last.CommandText = "SELECT max(id) FROM transactions";
            if (last.ExecuteScalar() is string lastTransaction)
            {
                ids.EnsureAfter(lastTransaction);
            }
        }
        catch (SqliteException ex) when (_database.Health is { } health && FileHealth.IsCorruption(ex))
        {
            health.Failed(ex);
            StorageLog.RecoveryFailed(_logger, health.Name, ex.Message);
        }
    }

    /// <summary>
    /// Inserts the rows, honouring idempotency keys, and stages chunks (see <see cref="Stage"/>); answers each row's
    /// message id (the first write's for a repeat, the transaction's for a chunk).
    /// </summary>
    private static AppendResult[] Insert(WriteContext db, Row[] rows, long nowMs)
    {
        var ids = new AppendResult[rows.Length];
        var transactions = Transactions(rows);
        var insert = db.Raw(InsertSql).Bind(5, nowMs);
        for (var i = 0; i < rows.Length; i++)
        {
            var row = rows[i];
            var meta = row.Meta;
            if (row.Chunk is { } chunk)
            {
                // The chunks of one transaction are staged together, where its first one is.
                if (transactions!.Remove((meta.Namespace, chunk.TransactionId), out var indices))
                {
                    Stage(db, rows, indices, ids, nowMs);
                }

                continue;
            }

            if (ClaimIdempotencyKey(db, meta, nowMs, row.DedupWindowMs) is { } first)
            {
                ids[i] = AppendResult.Persisted(first);
                continue;
            }

            insert.BindUtf8(1, row.Namespace).BindUtf8(2, row.Id).Bind(3, meta.DeliverAtMs);
            if (row.OrderingKey is null)
            {
                insert.Bind(4, (string?)null);
            }
            else
            {
                insert.BindUtf8(4, row.OrderingKey);
            }

            insert.Bind(6, row.MetaBytes).Bind(7, row.Payload).Bind(8, row.Seq).Run();
            ids[i] = AppendResult.Persisted(meta.MessageId);
        }

        return ids;
    }

    /// <summary>The indices of the rows that are chunks, by namespace and transaction, in order; null when there are none.</summary>
    private static Dictionary<(string Ns, string Txn), List<int>>? Transactions(Row[] rows)
    {
        Dictionary<(string Ns, string Txn), List<int>>? transactions = null;
        for (var i = 0; i < rows.Length; i++)
        {
            if (rows[i].Chunk is { } chunk)
            {
                transactions ??= [];
                var key = (rows[i].Meta.Namespace, chunk.TransactionId);
                if (!transactions.TryGetValue(key, out var indices))
                {
                    transactions[key] = indices = [];
                }

                indices.Add(i);
            }
        }

        return transactions;
    }

    /// <summary>
    /// Claims <paramref name="meta"/>'s idempotency key for its message: null when there is none or it is claimed now,
    /// else the id of the message that claimed it within its dedup window (nothing is appended then).
    /// </summary>
    private static string? ClaimIdempotencyKey(WriteContext db, Core.Model.Storage.EnvelopeMeta meta, long nowMs, long dedupWindowMs)
    {
        if (meta.IdempotencyKey.Length == 0)
        {
            return null;
        }

        if (db.Scalar("SELECT id FROM idempotency WHERE ns = $p0 AND key = $p1 AND expires_ms > $p2", meta.Namespace, meta.IdempotencyKey, nowMs) is string first)
        {
            return first;
        }

        db.Execute(
            "INSERT OR REPLACE INTO idempotency (ns, key, id, expires_ms) VALUES ($p0, $p1, $p2, $p3)",
            meta.Namespace, meta.IdempotencyKey, meta.MessageId, nowMs + dedupWindowMs);
        return null;
    }

    private async ValueTask Verdict(LeasedMessage message, string sql, DateTimeOffset at, string? error)
    {
        ArgumentNullException.ThrowIfNull(message);
        var ms = at.ToUnixTimeMilliseconds();
        await _writer.ExecuteAsync(db => db.Execute(sql, ms, message.LeaseToken, message.Attempt, error));
    }

    /// <summary>A message ready for the writer: everything it binds is encoded beforehand, off the writer's thread.</summary>
    private sealed record Row(
        Core.Model.Storage.EnvelopeMeta Meta, long? Seq, byte[] Namespace, byte[] Id, byte[]? OrderingKey, byte[] MetaBytes, byte[] Payload, long DedupWindowMs, TransactionChunk? Chunk);
}
