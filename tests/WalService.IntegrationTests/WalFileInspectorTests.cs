using Microsoft.Data.Sqlite;
using WalService.Sqlite.Storage;

namespace WalService.IntegrationTests;

/// <summary>Reading a real SQLite write-ahead log before SQLite opens it: what it will recover and what it will drop.</summary>
public sealed class WalFileInspectorTests : IDisposable
{
    private const int Transactions = 5;
    private readonly string _folder = Directory.CreateTempSubdirectory("wal-inspect-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void AnIntactLogIsRecoveredWholly()
    {
        var wal = WalOfCommittedTransactions();

        var result = WalFileInspector.Inspect(wal);

        Assert.NotNull(result);
        Assert.True(result.Value.HeaderValid);
        Assert.Equal(Transactions + 1, result.Value.RecoverableCommits);
        Assert.Equal(0, result.Value.UnrecoverableCommits);
    }

    [Fact]
    public void ATornHeaderLosesEveryCommitInTheLog()
    {
        var wal = WalOfCommittedTransactions();
        SqliteFiles.TearWalHeader(wal);

        var result = WalFileInspector.Inspect(wal);

        Assert.NotNull(result);
        Assert.False(result.Value.HeaderValid);
        Assert.Equal(0, result.Value.RecoverableCommits);
        Assert.Equal(Transactions + 1, result.Value.UnrecoverableCommits);
    }

    [Fact]
    public void ADamagedFrameLosesTheCommitsFromItOn()
    {
        var wal = WalOfCommittedTransactions();
        var pageSize = 4096;
        using (var file = new FileStream(wal, FileMode.Open, FileAccess.Write))
        {
            // Frames are 24 + page size bytes after the 32-byte header; damage a byte of the last frame's page.
            file.Position = file.Length - (pageSize / 2);
            file.WriteByte(0x5A);
        }

        var result = WalFileInspector.Inspect(wal);

        Assert.NotNull(result);
        Assert.True(result.Value.HeaderValid);
        Assert.Equal(Transactions, result.Value.RecoverableCommits);
        Assert.Equal(1, result.Value.UnrecoverableCommits);
    }

    [Fact]
    public void NoLogMeansNothingToRecover() =>
        Assert.Null(WalFileInspector.Inspect(Path.Combine(_folder, "absent.db-wal")));

    /// <summary>
    /// A database whose table was created and then written in <see cref="Transactions"/> transactions of one row of
    /// 100 bytes each (one page, so one frame, apiece: the last frame is the last transaction's). Answers a copy of its
    /// write-ahead log taken while the writer was open, as a crash would leave it.
    /// </summary>
    private string WalOfCommittedTransactions()
    {
        var db = Path.Combine(_folder, "test.db");
        var copy = Path.Combine(_folder, "copy.db-wal");
        using var connection = new SqliteConnection($"Data Source={db};Pooling=False");
        connection.Open();
        Execute(connection, "PRAGMA page_size=4096; PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; CREATE TABLE t (v BLOB);");
        for (var i = 0; i < Transactions; i++)
        {
            Execute(connection, "INSERT INTO t VALUES (zeroblob(100))");
        }

        File.Copy(db + "-wal", copy, overwrite: true);
        return copy;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
