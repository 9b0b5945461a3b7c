using System.ComponentModel.DataAnnotations;

namespace WalService.Sqlite.Storage;

/// <summary>
/// How the embedded SQLite files (<c>wal.db</c>, <c>control.db</c>, <c>kv.db</c> under <c>Wal:DataDirectory</c>) are
/// checked, at start and while serving. Section <c>Wal:Storage</c>.
/// </summary>
public sealed class StorageOptions
{
    public const string Section = "Wal:Storage";

    /// <summary>
    /// Run <c>PRAGMA quick_check</c> on each file when it is first opened. Default <c>true</c>. It reads the whole
    /// file once (seconds per GiB), so a very large log starts later.
    /// </summary>
    public bool CheckAtStart { get; set; } = true;

    /// <summary>
    /// Start even though a file failed its check at start (or its write-ahead-log file holds committed transactions
    /// SQLite cannot recover). Default <c>false</c>: the server refuses to start and names the file, leaving it
    /// untouched. With <c>true</c> it starts, serves what can be read, and <c>/readyz</c> and the
    /// <c>wal_storage_fault</c> gauge report the file damaged until the next start finds it sound.
    /// </summary>
    public bool StartOnDamage { get; set; }

    /// <summary>
    /// Free bytes on the data directory's file system below which the storage counts as full: <c>/readyz</c> answers
    /// 503 and <c>wal_storage_fault{kind="disk_full"}</c> is 1. Default 64 MiB (67108864); 0 turns the check off
    /// (a commit that fails with "database or disk is full" still counts).
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MinFreeBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Consecutive failed commits or lease queries on one file after which it counts as failing. Default 3. One
    /// successful commit clears it.
    /// </summary>
    [Range(1, 1_000_000)]
    public int FailingAfter { get; set; } = 3;
}
