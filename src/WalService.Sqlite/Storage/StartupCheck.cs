using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace WalService.Sqlite.Storage;

/// <summary>
/// What is checked when a file is first opened: its write-ahead-log file (read before SQLite opens it, so a refusal
/// leaves it as found), then <c>PRAGMA quick_check</c>. A damaged file stops the start unless
/// <see cref="StorageOptions.StartOnDamage"/> is on.
/// </summary>
/// <remarks>
/// quick_check verifies the B-trees' structure, record formats and NOT NULL constraints page by page; it does not
/// compare indexes with their tables (integrity_check does, far slower), nor can it see rows whose bytes were changed
/// into other well-formed bytes: those show only when the envelope fails to decode, and are quarantined then.
/// </remarks>
internal static class StartupCheck
{
    private const int MaxDetail = 400;

    public static void Run(SqliteDatabase database, FileHealth file, StorageOptions options, ILogger logger)
    {
        var walName = file.Name + "-wal";
        var wal = WalFileInspector.Inspect(file.Path + "-wal");
        if (wal is { } found)
        {
            StorageLog.WalFound(logger, walName, found.Bytes, found.RecoverableCommits);
            if (found.UnrecoverableCommits > 0)
            {
                var part = found.HeaderValid ? "a frame before them" : "its header";
                Damage(file, options, logger, $"its write-ahead log {walName} holds {found.UnrecoverableCommits} committed transaction(s) that SQLite cannot recover ({part} is damaged, e.g. a torn write); SQLite discards them when it opens the file");
            }
        }

        if (!options.CheckAtStart)
        {
            StorageLog.CheckSkipped(logger, file.Name);
            return;
        }

        var watch = Stopwatch.StartNew();
        string? problem;
        try
        {
            using var connection = database.OpenForRead();
            if (wal is not null)
            {
                ReportCheckpoint(connection, file.Name, logger);
            }

            problem = QuickCheck(connection);
        }
        catch (SqliteException ex)
        {
            problem = ex.Message;
        }

        if (problem is null)
        {
            StorageLog.CheckPassed(logger, file.Name, watch.ElapsedMilliseconds);
        }
        else
        {
            Damage(file, options, logger, "quick_check: " + problem);
        }
    }

    private static void Damage(FileHealth file, StorageOptions options, ILogger logger, string detail)
    {
        StorageLog.Damaged(logger, file.Name, detail);
        if (!options.StartOnDamage)
        {
            throw new InvalidOperationException(
                $"{file.Path} is damaged: {detail}. The server did not start and left the file as it is: restore it from a backup or " +
                $"repair it (e.g. sqlite3 {file.Name} .recover), or set Wal:Storage:StartOnDamage=true to start anyway, serve what can " +
                "still be read and report the file damaged on /readyz.");
        }

        StorageLog.StartingOnDamage(logger, file.Name);
        file.MarkDamaged(detail);
    }

    /// <summary>null when the file is sound, else the first of quick_check's findings.</summary>
    private static string? QuickCheck(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA quick_check(10)";
        command.CommandTimeout = 0;
        using var reader = command.ExecuteReader();
        var findings = new List<string>();
        while (reader.Read())
        {
            findings.Add(reader.GetString(0).ReplaceLineEndings("; "));
        }

        if (findings is ["ok"])
        {
            return null;
        }

        var text = string.Join("; ", findings);
        return text.Length <= MaxDetail ? text : text[..MaxDetail] + "…";
    }

    /// <summary>Copies what SQLite recovered from the write-ahead log into the database, and says how much that was.</summary>
    private static void ReportCheckpoint(SqliteConnection connection, string file, ILogger logger)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        using var reader = command.ExecuteReader();
        if (reader.Read())
        {
            StorageLog.WalCheckpointed(logger, file, reader.GetInt64(1), reader.GetInt64(2));
        }
    }
}
