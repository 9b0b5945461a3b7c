using System.Buffers.Binary;
using Microsoft.Data.Sqlite;

namespace WalService.IntegrationTests;

/// <summary>What storage-fault tests do to the data folder's SQLite files: copy them, and damage them as disks do.</summary>
internal static class SqliteFiles
{
    private const byte TableLeafPage = 0x0D;

    /// <summary>Copies a data folder's files (the databases and their write-ahead logs; not locks or shared-memory indexes).</summary>
    public static string CopyDataFolder(string from)
    {
        var to = Directory.CreateTempSubdirectory("wal-copy-").FullName;
        foreach (var file in Directory.GetFiles(from))
        {
            if (!file.EndsWith("-shm", StringComparison.Ordinal) && !file.EndsWith(".lock", StringComparison.Ordinal))
            {
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            }
        }

        return to;
    }

    /// <summary>Closes every pooled SQLite connection, so the last one out checkpoints its file's write-ahead log into it.</summary>
    public static void CloseIdleConnections() => SqliteConnection.ClearAllPools();

    /// <summary>
    /// Copies everything in <paramref name="db"/>'s write-ahead log into it and empties the log, so that the
    /// database file alone holds every row (a connection still open elsewhere need not have closed first).
    /// </summary>
    public static void Checkpoint(string db)
    {
        using var connection = new SqliteConnection($"Data Source={db};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read() && reader.GetInt32(0) == 0, $"the checkpoint of {db} was not blocked");
    }

    /// <summary>
    /// Overwrites the first 16 bytes of the cell pointer array of the middle leaf page of <c>messages</c> (the only
    /// table with rowids in <c>wal.db</c>, so every table leaf page but page 1 holds its rows) with 0xFF. Answers the
    /// number of rows that page held.
    /// </summary>
    public static int DamageAMessagesPage(string walDb)
    {
        var bytes = File.ReadAllBytes(walDb);
        var pageSize = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(16)) is var size && size == 1 ? 65536 : size;
        var leaves = Enumerable.Range(1, (bytes.Length / pageSize) - 1)
            .Where(page => bytes[page * pageSize] == TableLeafPage)
            .ToList();
        Assert.True(leaves.Count >= 3, $"expected several leaf pages of messages in {walDb}, found {leaves.Count}");
        var offset = leaves[leaves.Count / 2] * pageSize;
        var rows = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(offset + 3));
        using (var file = new FileStream(walDb, FileMode.Open, FileAccess.Write))
        {
            file.Position = offset + 8;
            file.Write(Enumerable.Repeat((byte)0xFF, 16).ToArray());
        }

        return rows;
    }

    /// <summary>Zeroes the checksum in a write-ahead log's header, as a torn write of the header would leave it.</summary>
    public static void TearWalHeader(string walFile)
    {
        using var file = new FileStream(walFile, FileMode.Open, FileAccess.Write);
        file.Position = 24;
        file.Write(new byte[8]);
    }
}
