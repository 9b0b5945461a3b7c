using Microsoft.Data.Sqlite;

namespace WalService.Sqlite.Storage;

/// <summary>
/// How one SQLite file is doing, as its commits and reads report it. <see cref="Succeeded"/> is on the commit path: it
/// costs one field read unless a fault is being cleared.
/// </summary>
internal sealed class FileHealth(StorageHealth owner, string path)
{
    private const int SqliteFull = 13;
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteCannotOpen = 14;

    private int _failures;
    private StorageFault? _damaged;
    private StorageFault? _full;
    private StorageFault? _failing;
    private StorageFault? _lowSpace;

    public string Path { get; } = path;

    public string Name { get; } = System.IO.Path.GetFileName(path);

    public string Directory { get; } = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? ".";

    public IEnumerable<StorageFault> Faults =>
        new[] { Volatile.Read(ref _damaged), Volatile.Read(ref _full) ?? Volatile.Read(ref _lowSpace), Volatile.Read(ref _failing) }.OfType<StorageFault>();

    /// <summary>
    /// Why new writes are refused now: free space on the file's file system is below
    /// <see cref="StorageOptions.MinFreeBytes"/> (read at most once a second), so leases, acknowledgements and trims,
    /// which need little, can still commit and delivery goes on. Null when there is room.
    /// </summary>
    public string? RefuseWritesBecause
    {
        get
        {
            owner.ProbeSpaceIfStale();
            return Volatile.Read(ref _lowSpace)?.Detail;
        }
    }

    /// <summary>A transaction on the file committed: a full disk or a run of failures is over.</summary>
    public void Succeeded()
    {
        if (Volatile.Read(ref _failures) != 0 || Volatile.Read(ref _full) is not null)
        {
            Recovered();
        }
    }

    /// <summary>
    /// A commit, lease query or read failed with <paramref name="exception"/>; counts it when it is a storage error
    /// (full, I/O, damaged, not a database), and ignores errors of the statement itself (constraints, misuse).
    /// </summary>
    public void Failed(Exception exception)
    {
        if (Storage(exception) is not { } error)
        {
            return;
        }

        owner.CountError(Name, error.SqliteErrorCode);
        if (error.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase)
        {
            MarkDamaged(error.Message);
        }

        if (error.SqliteErrorCode == SqliteFull && Interlocked.Exchange(ref _full, new StorageFault(Name, StorageFaultKind.DiskFull, error.Message)) is null)
        {
            owner.Raised(_full!);
        }

        if (Interlocked.Increment(ref _failures) >= owner.Options.FailingAfter && Volatile.Read(ref _failing) is null)
        {
            var failing = new StorageFault(Name, StorageFaultKind.Failing, $"the last {Volatile.Read(ref _failures)} commits or lease queries failed: {error.Message}");
            if (Interlocked.CompareExchange(ref _failing, failing, null) is null)
            {
                owner.Raised(failing);
            }
        }
    }

    /// <summary>The file's contents are damaged; stays so until a start finds it sound.</summary>
    public void MarkDamaged(string detail)
    {
        var damaged = new StorageFault(Name, StorageFaultKind.Damaged, detail);
        if (Interlocked.CompareExchange(ref _damaged, damaged, null) is null)
        {
            owner.Raised(damaged);
        }
    }

    /// <summary>
    /// What the last reading of free space found: <paramref name="lowSpace"/> says why it is too little, null when
    /// there is room again (a disk-full commit failure then no longer stands: the next commit tells again).
    /// </summary>
    public void SpaceRead(string? lowSpace)
    {
        if (lowSpace is null)
        {
            SpaceFreed();
            if (Interlocked.Exchange(ref _lowSpace, null) is { } low)
            {
                owner.Cleared(low);
            }
        }
        else if (Interlocked.Exchange(ref _lowSpace, new StorageFault(Name, StorageFaultKind.DiskFull, lowSpace)) is null)
        {
            owner.Raised(_lowSpace!);
        }
    }

    /// <summary>The storage error behind <paramref name="exception"/>, if it is one.</summary>
    public static SqliteException? Storage(Exception exception) =>
        (exception as SqliteException ?? exception.InnerException as SqliteException) is { } error
        && error.SqliteErrorCode is SqliteFull or SqliteCorrupt or SqliteNotADatabase or SqliteReadOnly or SqliteIoError or SqliteCannotOpen
            ? error
            : null;

    /// <summary>Whether <paramref name="exception"/> says the file's contents are damaged (SQLITE_CORRUPT, SQLITE_NOTADB).</summary>
    public static bool IsCorruption(Exception exception) =>
        Storage(exception) is { SqliteErrorCode: SqliteCorrupt or SqliteNotADatabase };

    private void SpaceFreed()
    {
        if (Interlocked.Exchange(ref _full, null) is { } full)
        {
            owner.Cleared(full);
        }
    }

    private void Recovered()
    {
        Interlocked.Exchange(ref _failures, 0);
        SpaceFreed();
        if (Interlocked.Exchange(ref _failing, null) is { } failing)
        {
            owner.Cleared(failing);
        }
    }
}
