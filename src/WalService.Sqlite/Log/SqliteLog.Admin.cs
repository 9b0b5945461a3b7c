using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Data.Sqlite;
using WalService.Core.Model.Storage;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Runtime;

namespace WalService.Sqlite.Log;

/// <summary>Status, dead letters and housekeeping of the embedded log.</summary>
internal sealed partial class SqliteLog
{
    private static readonly string StatusSql =
        $"SELECT state, due_ms, attempts, last_error, done_ms FROM messages WHERE ns = $ns AND id = $id AND (seq = $seq OR seq < {LogSchema.NamedBelow})";

    public async Task<MessageStatus?> GetStatusAsync(string ns, string messageId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // By the id's sequence, the row's key (0, none, for an id without one); else among the named rows.
        await using var connection = _database.OpenForRead();
        await using var command = Command(
            connection,
            StatusSql,
            ("$ns", ns),
            ("$id", messageId),
            ("$seq", MessageIdGenerator.TryGetSequence(messageId, out var seq) ? seq : 0L));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return await GetStagingStatusAsync(connection, ns, messageId, cancellationToken);
        }

        var state = reader.GetInt32(0);
        var due = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1));
        var attempts = reader.GetInt32(2);
        var status = new MessageStatus
        {
            MessageId = messageId,
            Attempts = attempts,
            LastError = reader.IsDBNull(3) ? string.Empty : reader.GetString(3),
            State = state switch
            {
                LogSchema.Leased => MessageState.InFlight,
                LogSchema.Applied => MessageState.Applied,
                LogSchema.Dead => MessageState.DeadLettered,
                _ when attempts > 0 => MessageState.RetryScheduled,
                _ => due > now ? MessageState.Delayed : MessageState.Pending,
            },
        };
        if (state == LogSchema.Queued)
        {
            status.NextAttemptAt = Timestamp.FromDateTimeOffset(due);
        }

        if (state == LogSchema.Applied && !reader.IsDBNull(4))
        {
            status.AppliedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)));
        }

        return status;
    }

    /// <summary>A transaction whose marker is not enqueued yet: STAGING, with the chunks staged; null when there is none.</summary>
    private static async Task<MessageStatus?> GetStagingStatusAsync(SqliteConnection connection, string ns, string messageId, CancellationToken cancellationToken)
    {
        await using var command = Command(
            connection,
            "SELECT staged FROM transactions WHERE ns = $ns AND id = $id AND state = 0",
            ("$ns", ns),
            ("$id", messageId));
        return await command.ExecuteScalarAsync(cancellationToken) is long staged
            ? new MessageStatus { MessageId = messageId, State = MessageState.Staging, ChunksStaged = (int)staged }
            : null;
    }

    public async Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string ns, int pageSize, string? afterId, CancellationToken cancellationToken)
    {
        await using var connection = _database.OpenForRead();
        await using var command = Command(
            connection,
            "SELECT id, attempts, last_error, done_ms, meta, payload FROM messages WHERE ns = $ns AND state = 3 AND id > $after ORDER BY id LIMIT $limit",
            ("$ns", ns),
            ("$after", afterId ?? string.Empty),
            ("$limit", pageSize));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var letters = new List<DeadLetter>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var letter = new DeadLetter
            {
                MessageId = reader.GetString(0),
                Attempts = reader.GetInt32(1),
                LastError = reader.IsDBNull(2) ? string.Empty : reader.GetString(2),
                DeadLetteredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))),
                Payload = reader.IsDBNull(5) ? ByteString.Empty : ByteString.CopyFrom((byte[])reader[5]),
            };
            // A quarantined row's envelope may not decode (that is why it is here): it is listed without headers.
            if (TryDecodeMeta(reader, 4) is { } meta)
            {
                letter.OriginalWriteTime = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(meta.OriginalWriteTimeMs));
                letter.Headers.Add(meta.Headers);
            }

            letters.Add(letter);
        }

        return letters;
    }

    public Task<long> RedriveAsync(string ns, IReadOnlyCollection<string> messageIds, int maxPerSecond, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var startMs = now.ToUnixTimeMilliseconds();
        return _writer.ExecuteAsync(db =>
        {
            // A transaction dead-lettered incomplete has nothing to deliver: a redrive leaves it where it is.
            var seqs = SelectDead(db, ns, messageIds, skipIncomplete: true);
            for (var i = 0; i < seqs.Count; i++)
            {
                var due = maxPerSecond > 0 ? startMs + (i * 1000L / maxPerSecond) : startMs;
                db.Execute("UPDATE messages SET state = 0, due_ms = $p0, attempts = 0, done_ms = NULL WHERE seq = $p1", due, seqs[i]);
            }

            return (long)seqs.Count;
        });
    }

    public Task<long> PurgeAsync(string ns, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return _writer.ExecuteAsync(db =>
        {
            var seqs = SelectDead(db, ns, messageIds, skipIncomplete: false);
            foreach (var seq in seqs)
            {
                if (db.Scalar("SELECT id FROM messages WHERE seq = $p0", seq) is string id)
                {
                    // A purged transaction's chunks go with it.
                    FinishById(db, ns, id, nowMs);
                }

                db.Execute("DELETE FROM messages WHERE seq = $p0", seq);
            }

            return (long)seqs.Count;
        });
    }

    public async Task<long> CountUndeliveredAsync(string ns, CancellationToken cancellationToken) =>
        (long)(await ScalarAsync("SELECT count(*) FROM messages WHERE ns = $ns AND state < 2", cancellationToken, ("$ns", ns)) ?? 0L);

    public Task DropNamespaceAsync(string ns, CancellationToken cancellationToken) =>
        _writer.ExecuteAsync(db =>
        {
            db.Execute("DELETE FROM messages WHERE ns = $p0", ns);
            db.Execute("DELETE FROM chunks WHERE ns = $p0", ns);
            db.Execute("DELETE FROM transactions WHERE ns = $p0", ns);
            return db.Execute("DELETE FROM idempotency WHERE ns = $p0", ns);
        });

    /// <summary>
    /// Forgets applied messages done before <paramref name="appliedBefore"/>, and idempotency keys and ids of finished
    /// transactions whose dedup window has passed.
    /// </summary>
    public Task TrimAsync(string ns, DateTimeOffset appliedBefore, DateTimeOffset now, CancellationToken cancellationToken) =>
        _writer.ExecuteAsync(db =>
        {
            db.Execute("DELETE FROM messages WHERE ns = $p0 AND state = 2 AND done_ms < $p1", ns, appliedBefore.ToUnixTimeMilliseconds());
            db.Execute("DELETE FROM transactions WHERE ns = $p0 AND state = 2 AND done_ms + window_ms <= $p1", ns, now.ToUnixTimeMilliseconds());
            return db.Execute("DELETE FROM idempotency WHERE ns = $p0 AND expires_ms <= $p1", ns, now.ToUnixTimeMilliseconds());
        });

    /// <summary>
    /// Counts from the partial indexes alone (no table reads), so it stays cheap with millions of rows waiting. A lease
    /// whose time has run out counts as pending: its message is deliverable again.
    /// </summary>
    public async Task<Backlog> GetBacklogAsync(string ns, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = _database.OpenForRead();
        await using var command = Command(
            connection,
            """
            SELECT
              (SELECT count(*) FROM messages WHERE ns = $ns AND state < 2),
              (SELECT count(*) FROM messages WHERE ns = $ns AND state < 2 AND due_ms <= $now),
              (SELECT count(*) FROM messages WHERE ns = $ns AND state = 1 AND due_ms > $now),
              (SELECT count(*) FROM messages WHERE ns = $ns AND state = 3),
              (SELECT min(due_ms) FROM messages WHERE ns = $ns AND state < 2 AND due_ms <= $now)
            """,
            ("$ns", ns),
            ("$now", now.ToUnixTimeMilliseconds()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (active, due, leased) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        return new Backlog(
            due,
            active - due - leased,
            leased,
            reader.GetInt64(3),
            reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)));
    }

    /// <summary>
    /// Replicas are the named rows (their ids have no sequence, see <see cref="Replicas"/>); the undelivered ones are
    /// found through the partial index of rows not done, at most <see cref="IRegionBacklog.CountLimit"/> of each region.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> GetRegionBacklogAsync(string ns, CancellationToken cancellationToken)
    {
        await using var connection = _database.OpenForRead();
        await using var command = Command(
            connection,
            $"""
            SELECT region, count(*) FROM (
              SELECT substr(id, instr(id, '.') + 1) AS region FROM messages
              WHERE ns = $ns AND state < 2 AND seq < {LogSchema.NamedBelow} AND instr(id, '.') > 0
              LIMIT $limit)
            GROUP BY region
            """,
            ("$ns", ns),
            ("$limit", IRegionBacklog.CountLimit * Replicas.MaxRegions));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[reader.GetString(0)] = Math.Min(reader.GetInt64(1), IRegionBacklog.CountLimit);
        }

        return counts;
    }

    public async Task<BackendReadiness> CheckReadinessAsync(CancellationToken cancellationToken)
    {
        try
        {
            return BackendReadiness.Answers(await ScalarAsync("SELECT 1", cancellationToken) is long);
        }
        catch (SqliteException)
        {
            return BackendReadiness.Answers(false);
        }
    }

    private static EnvelopeMeta? TryDecodeMeta(SqliteDataReader reader, int ordinal)
    {
        try
        {
            return reader.IsDBNull(ordinal) ? null : EnvelopeCodec.DecodeMeta((byte[])reader[ordinal]);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private static List<long> SelectDead(WriteContext db, string ns, IReadOnlyCollection<string> messageIds, bool skipIncomplete)
    {
        var seqs = new List<long>();
        var incomplete = skipIncomplete ? IncompleteClause : string.Empty;
        if (messageIds.Count == 0)
        {
            using var reader = db.Query("SELECT seq FROM messages m WHERE ns = $p0 AND state = 3" + incomplete + " ORDER BY id", ns);
            while (reader.Read())
            {
                seqs.Add(reader.GetInt64(0));
            }

            return seqs;
        }

        foreach (var id in messageIds.Distinct(StringComparer.Ordinal))
        {
            if (db.Scalar("SELECT seq FROM messages m WHERE ns = $p0 AND id = $p1 AND state = 3" + incomplete, ns, id) is long seq)
            {
                seqs.Add(seq);
            }
        }

        return seqs;
    }

    private async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] args)
    {
        await using var connection = _database.OpenForRead();
        await using var command = Command(connection, sql, args);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DBNull ? null : value;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object Value)[] args)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in args)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }
}
