using System.Text.Json;
using Microsoft.Data.Sqlite;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Sqlite.Storage;

namespace WalService.Sqlite.Ledger;

/// <summary>
/// The dead-letter archive of a single node, in the control-plane file: each dead letter's envelope (metadata and
/// payload as the log stores them) with its attempts, error and time. Writes share commits through a
/// <see cref="SqliteWriter"/>.
/// </summary>
internal sealed class SqliteDeadLetterArchive : IDeadLetterArchive, IAsyncDisposable
{
    private const string Columns = "meta, payload, attempts, last_error, dead_ms";
    private readonly SqliteDatabase _database;
    private readonly SqliteWriter _writer;

    /// <param name="storage">Checks the file at start and collects its faults; null: not watched.</param>
    public SqliteDeadLetterArchive(string path, StorageHealth? storage = null)
    {
        _database = new SqliteDatabase(path, storage);
        using (var connection = _database.Open())
        {
            SqliteDatabase.Execute(connection, """
                CREATE TABLE IF NOT EXISTS ledger_dead (
                    ns TEXT NOT NULL, id TEXT NOT NULL, meta BLOB NOT NULL, payload BLOB NOT NULL,
                    attempts INTEGER NOT NULL, last_error TEXT NOT NULL, dead_ms INTEGER NOT NULL,
                    PRIMARY KEY (ns, id)
                ) WITHOUT ROWID;
                """);
        }

        _writer = new SqliteWriter(_database);
    }

    public Task AddAsync(IReadOnlyList<ArchivedDeadLetter> deadLetters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadLetters);
        return _writer.ExecuteAsync(db =>
        {
            foreach (var letter in deadLetters)
            {
                var envelope = letter.Envelope;
                db.Execute(
                    $"INSERT OR REPLACE INTO ledger_dead (ns, id, {Columns}) VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6)",
                    envelope.Meta.Namespace,
                    envelope.MessageId,
                    EnvelopeCodec.EncodeMeta(envelope.Meta),
                    envelope.Payload.ToArray(),
                    letter.Attempts,
                    letter.LastError,
                    letter.DeadLetteredAt.ToUnixTimeMilliseconds());
            }

            return deadLetters.Count;
        });
    }

    public async Task<IReadOnlyList<ArchivedDeadLetter>> ListAsync(string ns, int pageSize, string? afterId, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        await using var connection = _database.OpenForRead();
        await using var command = connection.CreateCommand();
        command.CommandText = messageIds.Count == 0
            ? $"SELECT {Columns} FROM ledger_dead WHERE ns = $ns AND id > $after ORDER BY id LIMIT $limit"
            : $"SELECT {Columns} FROM ledger_dead WHERE ns = $ns AND id > $after AND id IN (SELECT value FROM json_each($ids)) ORDER BY id LIMIT $limit";
        command.Parameters.AddWithValue("$ns", ns);
        command.Parameters.AddWithValue("$after", afterId ?? string.Empty);
        command.Parameters.AddWithValue("$limit", pageSize);
        if (messageIds.Count > 0)
        {
            command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(messageIds));
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var letters = new List<ArchivedDeadLetter>();
        while (await reader.ReadAsync(cancellationToken))
        {
            letters.Add(ToDeadLetter(reader));
        }

        return letters;
    }

    public Task<long> RemoveAsync(string ns, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        return _writer.ExecuteAsync(db =>
        {
            if (messageIds.Count == 0)
            {
                return (long)db.Execute("DELETE FROM ledger_dead WHERE ns = $p0", ns);
            }

            var removed = 0L;
            foreach (var id in messageIds)
            {
                removed += db.Execute("DELETE FROM ledger_dead WHERE ns = $p0 AND id = $p1", ns, id);
            }

            return removed;
        });
    }

    public async Task<long> CountAsync(string ns, CancellationToken cancellationToken)
    {
        await using var connection = _database.OpenForRead();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM ledger_dead WHERE ns = $ns";
        command.Parameters.AddWithValue("$ns", ns);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async ValueTask DisposeAsync() => await _writer.DisposeAsync();

    private static ArchivedDeadLetter ToDeadLetter(SqliteDataReader reader) =>
        new(
            new Envelope(EnvelopeCodec.DecodeMeta((byte[])reader[0]), (byte[])reader[1]),
            reader.GetInt32(2),
            reader.GetString(3),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)));
}
