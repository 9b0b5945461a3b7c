namespace WalService.Sqlite.Storage;

/// <summary>What is wrong with an embedded SQLite file; the <c>kind</c> label of <c>wal_storage_fault</c>.</summary>
public enum StorageFaultKind
{
    /// <summary>The file system is (nearly) full: a commit failed with SQLITE_FULL, or free space is below <see cref="StorageOptions.MinFreeBytes"/>.</summary>
    DiskFull,

    /// <summary>The file's contents are damaged: its check at start failed, or a read met SQLITE_CORRUPT since. Lasts until a start finds the file sound.</summary>
    Damaged,

    /// <summary>The last <see cref="StorageOptions.FailingAfter"/> commits or lease queries failed.</summary>
    Failing,
}

/// <summary>A fault of one file, in words for an operator.</summary>
/// <param name="File">The file's name in the data directory, e.g. <c>wal.db</c>.</param>
/// <param name="Kind">What is wrong.</param>
/// <param name="Detail">Why it is reported, e.g. SQLite's message.</param>
public sealed record StorageFault(string File, StorageFaultKind Kind, string Detail)
{
    /// <summary>The kind as the metric label spells it.</summary>
    public string KindLabel => Label(Kind);

    public static string Label(StorageFaultKind kind) => kind switch
    {
        StorageFaultKind.DiskFull => "disk_full",
        StorageFaultKind.Damaged => "damaged",
        _ => "failing",
    };

    public override string ToString() => $"{File} {KindLabel}: {Detail}";
}
