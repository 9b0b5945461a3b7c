using Microsoft.Data.Sqlite;
using WalService.Sqlite.Storage;

namespace WalService.Sqlite;

/// <summary>
/// Opens connections to one SQLite file with the settings every embedded store relies on: WAL journal (readers do not
/// block the writer) and <c>synchronous=FULL</c> (a commit returns only after the WAL is fsynced, which is what
/// <c>durable = TRUE</c> promises). With a <see cref="StorageHealth"/>, the file is checked when first opened in the
/// process and its commits report to <see cref="Health"/>.
/// </summary>
internal sealed class SqliteDatabase
{
    private readonly string _connectionString;

    /// <exception cref="InvalidOperationException">The file is damaged and <see cref="StorageOptions.StartOnDamage"/> is off.</exception>
    public SqliteDatabase(string path, StorageHealth? storage = null)
    {
        Path = path;
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        Health = storage?.Watch(this);
    }

    public string Path { get; }

    /// <summary>Where commits and reads report how they went; null when the file is not watched.</summary>
    public FileHealth? Health { get; }

    /// <summary>A connection that writes: every commit waits for the disk.</summary>
    public SqliteConnection Open()
    {
        var connection = OpenForRead();
        Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
        return connection;
    }

    /// <summary>
    /// A pooled connection for reads, with no per-open statements (the WAL journal mode is stored in the file once
    /// a writer set it); a busy database is retried for <c>DefaultTimeout</c>.
    /// </summary>
    public SqliteConnection OpenForRead()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }
}
