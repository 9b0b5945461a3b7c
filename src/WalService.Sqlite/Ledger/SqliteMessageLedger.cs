using System.Text.Json;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Sqlite.Storage;

namespace WalService.Sqlite.Ledger;

/// <summary>
/// The message ledger of a single node, in the control-plane file: statuses and idempotency keys of messages whose
/// log is not embedded. Writes share commits through a <see cref="SqliteWriter"/>.
/// </summary>
internal sealed class SqliteMessageLedger : IMessageLedgerStore, IAsyncDisposable
{
    private readonly SqliteDatabase _database;
    private readonly SqliteWriter _writer;

    /// <param name="storage">Checks the file at start and collects its faults; null: not watched.</param>
    public SqliteMessageLedger(string path, StorageHealth? storage = null)
    {
        _database = new SqliteDatabase(path, storage);
        using (var connection = _database.Open())
        {
            SqliteDatabase.Execute(connection, """
                CREATE TABLE IF NOT EXISTS ledger_status (
                    ns TEXT NOT NULL, id TEXT NOT NULL, state INTEGER NOT NULL, attempts INTEGER NOT NULL,
                    last_error TEXT, next_ms INTEGER, applied_ms INTEGER, at_ms INTEGER NOT NULL,
                    PRIMARY KEY (ns, id)
                ) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS ledger_applied ON ledger_status(ns, applied_ms) WHERE applied_ms IS NOT NULL;
                CREATE TABLE IF NOT EXISTS ledger_keys (
                    ns TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL, expires_ms INTEGER NOT NULL,
                    PRIMARY KEY (ns, key)
                ) WITHOUT ROWID;
                """);
        }

        _writer = new SqliteWriter(_database);
    }

    public Task<string> ClaimAsync(string ns, string key, string messageId, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var expiresMs = expiresAt.ToUnixTimeMilliseconds();
        return _writer.ExecuteAsync(db =>
        {
            if (db.Scalar("SELECT id FROM ledger_keys WHERE ns = $p0 AND key = $p1 AND expires_ms > $p2", ns, key, nowMs) is string holder)
            {
                return holder;
            }

            db.Execute("INSERT OR REPLACE INTO ledger_keys (ns, key, id, expires_ms) VALUES ($p0, $p1, $p2, $p3)", ns, key, messageId, expiresMs);
            return messageId;
        });
    }

    public Task ReleaseAsync(string ns, string key, string messageId, CancellationToken cancellationToken) =>
        _writer.ExecuteAsync(db => db.Execute("DELETE FROM ledger_keys WHERE ns = $p0 AND key = $p1 AND id = $p2", ns, key, messageId));

    public Task RecordAsync(IReadOnlyList<LedgerUpdate> updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var latest = Latest(updates);
        return _writer.ExecuteAsync(db =>
        {
            var upsert = db.Raw(
                """
                INSERT INTO ledger_status (ns, id, state, attempts, last_error, next_ms, applied_ms, at_ms)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                ON CONFLICT (ns, id) DO UPDATE SET
                    state = excluded.state, attempts = excluded.attempts, last_error = excluded.last_error,
                    next_ms = excluded.next_ms, applied_ms = excluded.applied_ms, at_ms = excluded.at_ms
                WHERE excluded.at_ms >= ledger_status.at_ms
                """);
            foreach (var u in latest)
            {
                upsert.Bind(1, u.Namespace).Bind(2, u.MessageId).Bind(3, (long)u.State).Bind(4, u.Attempts).Bind(5, u.LastError)
                    .Bind(6, u.NextAttemptAt?.ToUnixTimeMilliseconds()).Bind(7, u.AppliedAt?.ToUnixTimeMilliseconds()).Bind(8, u.At.ToUnixTimeMilliseconds())
                    .Run();
            }

            return latest.Count;
        });
    }

    /// <summary>
    /// The latest update of each message (of two at the same time, the later one), as the upsert would keep: a batch
    /// often holds several of one message (written, delivery begun, applied), and one row write serves them all.
    /// </summary>
    private static IReadOnlyCollection<LedgerUpdate> Latest(IReadOnlyList<LedgerUpdate> updates)
    {
        if (updates.Count < 2)
        {
            return updates;
        }

        var latest = new Dictionary<(string, string), LedgerUpdate>(updates.Count);
        foreach (var u in updates)
        {
            if (!latest.TryGetValue((u.Namespace, u.MessageId), out var kept) || u.At >= kept.At)
            {
                latest[(u.Namespace, u.MessageId)] = u;
            }
        }

        return latest.Count == updates.Count ? updates : latest.Values;
    }

    public async Task<MessageStatus?> GetStatusAsync(string ns, string messageId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = _database.OpenForRead();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {LedgerRow.Columns} FROM ledger_status WHERE ns = $ns AND id = $id";
        command.Parameters.AddWithValue("$ns", ns);
        command.Parameters.AddWithValue("$id", messageId);
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

        await using var connection = _database.OpenForRead();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, state, attempts FROM ledger_status
            WHERE ns = $ns AND (state IN ($applied, $dead) OR attempts > 0) AND id IN (SELECT value FROM json_each($ids))
            """;
        command.Parameters.AddWithValue("$ns", ns);
        command.Parameters.AddWithValue("$applied", (int)MessageState.Applied);
        command.Parameters.AddWithValue("$dead", (int)MessageState.DeadLettered);
        command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(messageIds));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            past[reader.GetString(0)] = new PastDelivery(LedgerRow.IsFinished((MessageState)reader.GetInt32(1)), reader.GetInt32(2));
        }

        return past;
    }

    public Task TrimAsync(string ns, DateTimeOffset appliedBefore, DateTimeOffset now, CancellationToken cancellationToken) =>
        _writer.ExecuteAsync(db =>
        {
            db.Execute("DELETE FROM ledger_status WHERE ns = $p0 AND applied_ms < $p1", ns, appliedBefore.ToUnixTimeMilliseconds());
            return db.Execute("DELETE FROM ledger_keys WHERE ns = $p0 AND expires_ms <= $p1", ns, now.ToUnixTimeMilliseconds());
        });

    public async ValueTask DisposeAsync() => await _writer.DisposeAsync();
}
