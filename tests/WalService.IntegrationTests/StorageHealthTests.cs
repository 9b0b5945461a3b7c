using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WalService.Sqlite;
using WalService.Sqlite.Storage;

namespace WalService.IntegrationTests;

/// <summary>How a watched SQLite file's faults come and go as its commits report: failing after a run of storage errors.</summary>
public sealed class StorageHealthTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wal-health-").FullName;
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly StorageHealth _health;

    public StorageHealthTests() =>
        _health = new StorageHealth(Options.Create(new StorageOptions { FailingAfter = 3, MinFreeBytes = 0 }), NullLogger<StorageHealth>.Instance, _services.GetRequiredService<IMeterFactory>());

    public void Dispose()
    {
        _health.Dispose();
        _services.Dispose();
        SqliteFiles.CloseIdleConnections();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void AFileIsFailingAfterARunOfStorageErrorsAndRecoversWithTheNextCommit()
    {
        var file = new SqliteDatabase(Path.Combine(_folder, "wal.db"), _health).Health!;
        var ioError = new SqliteException("SQLite Error 10: 'disk I/O error'.", 10);

        file.Failed(ioError);
        file.Failed(ioError);
        var afterTwo = _health.Check();
        file.Failed(ioError);
        var afterThree = _health.Check();
        file.Succeeded();

        Assert.Empty(afterTwo);
        var failing = Assert.Single(afterThree);
        Assert.Equal(("wal.db", StorageFaultKind.Failing), (failing.File, failing.Kind));
        Assert.Contains("the last 3 commits or lease queries failed: SQLite Error 10", failing.Detail, StringComparison.Ordinal);
        Assert.Empty(_health.Check());
    }

    [Fact]
    public void AStatementErrorIsNotAStorageFault()
    {
        var file = new SqliteDatabase(Path.Combine(_folder, "wal.db"), _health).Health!;

        for (var i = 0; i < 5; i++)
        {
            file.Failed(new SqliteException("SQLite Error 19: 'UNIQUE constraint failed'.", 19));
        }

        Assert.Empty(_health.Check());
    }

    [Fact]
    public void ACommitThatFindsTheDiskFullIsReportedUntilACommitSucceeds()
    {
        var file = new SqliteDatabase(Path.Combine(_folder, "control.db"), _health).Health!;

        file.Failed(new SqliteException("SQLite Error 13: 'database or disk is full'.", 13));
        var whileFull = _health.Check();
        file.Succeeded();

        var full = Assert.Single(whileFull);
        Assert.Equal(("control.db", StorageFaultKind.DiskFull, "SQLite Error 13: 'database or disk is full'."), (full.File, full.Kind, full.Detail));
        Assert.Empty(_health.Check());
    }
}
