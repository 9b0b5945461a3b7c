using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Sqlite.Storage;

namespace WalService.Sqlite.Kv;

/// <summary>
/// The embedded kv store (<c>KvTarget.store</c> = "" or "embedded") in <c>kv.db</c>. Tables are logical: one physical
/// table keyed by (table, partition key, sort key). Applies share commits through a <see cref="SqliteWriter"/>.
/// </summary>
internal sealed class SqliteKvStore : IKvStore, IAsyncDisposable
{
    public const string StoreName = "embedded";

    private readonly SqliteDatabase _database;
    private readonly SqliteWriter _writer;
    private readonly TimeProvider _time;

    /// <param name="storage">Checks the file at start and collects its faults; null: not watched.</param>
    public SqliteKvStore(string path, TimeProvider time, StorageHealth? storage = null)
    {
        _time = time;
        _database = new SqliteDatabase(path, storage);
        using (var connection = _database.Open())
        {
            SqliteDatabase.Execute(connection, """
                CREATE TABLE IF NOT EXISTS kv_tables (name TEXT PRIMARY KEY) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS kv (
                    tbl TEXT NOT NULL, pk TEXT NOT NULL, sk TEXT NOT NULL, value BLOB NOT NULL,
                    PRIMARY KEY (tbl, pk, sk)
                ) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS kv_applied (
                    ns TEXT NOT NULL, id TEXT NOT NULL, applied_ms INTEGER NOT NULL,
                    PRIMARY KEY (ns, id)
                ) WITHOUT ROWID;
                """);
        }

        _writer = new SqliteWriter(_database);
    }

    public string Name => StoreName;

    public Task EnsureTableAsync(string table, CancellationToken cancellationToken) =>
        _writer.ExecuteAsync(db => db.Execute("INSERT OR IGNORE INTO kv_tables (name) VALUES ($p0)", table));

    public Task<bool> ApplyAsync(string ns, string messageId, string defaultTable, KvMutationBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return _writer.ExecuteAsync(db =>
        {
            if (db.Execute("INSERT OR IGNORE INTO kv_applied (ns, id, applied_ms) VALUES ($p0, $p1, $p2)", ns, messageId, now) == 0)
            {
                return false;
            }

            foreach (var m in batch.Mutations)
            {
                var table = m.Table.Length > 0 ? m.Table : defaultTable;
                if (m.OpCase == KvMutation.OpOneofCase.Delete)
                {
                    db.Execute("DELETE FROM kv WHERE tbl = $p0 AND pk = $p1 AND sk = $p2", table, m.PartitionKey, m.SortKey);
                }
                else
                {
                    db.Execute(
                        "INSERT INTO kv (tbl, pk, sk, value) VALUES ($p0, $p1, $p2, $p3) ON CONFLICT DO UPDATE SET value = excluded.value",
                        table, m.PartitionKey, m.SortKey, m.PutValue.ToByteArray());
                }
            }

            return true;
        });
    }

    public async Task<byte[]?> GetAsync(string table, string partitionKey, string sortKey, CancellationToken cancellationToken)
    {
        await using var connection = _database.OpenForRead();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM kv WHERE tbl = $t AND pk = $p AND sk = $s";
        command.Parameters.AddWithValue("$t", table);
        command.Parameters.AddWithValue("$p", partitionKey);
        command.Parameters.AddWithValue("$s", sortKey);
        return await command.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    public async ValueTask DisposeAsync() => await _writer.DisposeAsync();
}
