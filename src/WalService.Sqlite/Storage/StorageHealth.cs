using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WalService.Core.Telemetry;

namespace WalService.Sqlite.Storage;

/// <summary>
/// The faults of the embedded SQLite files, for <c>/readyz</c> and the <c>wal_storage_fault</c> gauge: each file is
/// checked when first opened (<see cref="StartupCheck"/>), its commits and lease queries report how they went, and the
/// data directory's free space is read whenever the faults are asked for, so a freed disk is seen without a write.
/// </summary>
public sealed class StorageHealth : IDisposable
{
    private const long ProbeInterval = 1000;

    private readonly ConcurrentDictionary<string, FileHealth> _files = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly Meter _meter;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _quarantined;
    private long _lastProbe = long.MinValue / 2;

    public StorageHealth(IOptions<StorageOptions> options, ILogger<StorageHealth> logger, IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meterFactory);
        Options = options.Value;
        _logger = logger;
        _meter = meterFactory.Create(WalMetrics.MeterName);
        _meter.CreateObservableGauge("wal.storage.fault", ObserveFaults, "{fault}", "1 while an embedded SQLite file has a fault, by file and kind (disk_full, damaged, failing).");
        _errors = _meter.CreateCounter<long>("wal.storage.errors", "{error}", "Storage errors SQLite returned (full, I/O, damaged), by file and code.");
        _quarantined = _meter.CreateCounter<long>("wal.storage.quarantined", "{message}", "Messages dead-lettered because their stored row could not be read, by namespace.");
    }

    internal StorageOptions Options { get; }

    /// <summary>Where the stores log what storage faults do to them.</summary>
    internal ILogger Logger => _logger;

    /// <summary>The faults now, with the free space of each data directory read afresh.</summary>
    public IReadOnlyList<StorageFault> Check()
    {
        ProbeSpace();
        return [.. _files.Values.SelectMany(f => f.Faults)];
    }

    public void Dispose() => _meter.Dispose();

    /// <summary>Checks the file at <paramref name="path"/> the first time it is opened in this process; its health from then on.</summary>
    /// <exception cref="InvalidOperationException">The file is damaged and <see cref="StorageOptions.StartOnDamage"/> is off.</exception>
    internal FileHealth Watch(SqliteDatabase database)
    {
        var path = Path.GetFullPath(database.Path);
        lock (_files)
        {
            if (_files.TryGetValue(path, out var known))
            {
                return known;
            }

            var file = new FileHealth(this, path);
            StartupCheck.Run(database, file, Options, _logger);
            _files[path] = file;
            return file;
        }
    }

    /// <summary>Reads free space again when the last reading is more than a second old.</summary>
    internal void ProbeSpaceIfStale()
    {
        if (Environment.TickCount64 - Volatile.Read(ref _lastProbe) >= ProbeInterval)
        {
            ProbeSpace();
        }
    }

    internal void CountError(string file, int code) =>
        _errors.Add(1, new KeyValuePair<string, object?>("file", file), new KeyValuePair<string, object?>("code", code));

    internal void CountQuarantined(string ns) => _quarantined.Add(1, new KeyValuePair<string, object?>("namespace", ns));

    internal void Raised(StorageFault fault) => StorageLog.FaultRaised(_logger, fault.File, fault.KindLabel, fault.Detail);

    internal void Cleared(StorageFault fault) => StorageLog.FaultCleared(_logger, fault.File, fault.KindLabel);

    /// <summary>Reads the free space of each data directory's file system (statvfs: microseconds) and tells its files.</summary>
    private void ProbeSpace()
    {
        Volatile.Write(ref _lastProbe, Environment.TickCount64);
        if (Options.MinFreeBytes <= 0)
        {
            return;
        }

        foreach (var directory in _files.Values.GroupBy(f => f.Directory, StringComparer.Ordinal))
        {
            var lowSpace = LowSpace(directory.Key);
            foreach (var file in directory)
            {
                file.SpaceRead(lowSpace);
            }
        }
    }

    private string? LowSpace(string directory)
    {
        try
        {
            // On Linux DriveInfo asks statvfs about the path itself, so this is the file system the files live on.
            var free = new DriveInfo(directory).AvailableFreeSpace;
            return free < Options.MinFreeBytes
                ? $"the disk is full: {free} bytes free on the file system of {directory}, below Wal:Storage:MinFreeBytes ({Options.MinFreeBytes})"
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private IEnumerable<Measurement<int>> ObserveFaults()
    {
        var faults = Check();
        foreach (var file in _files.Values)
        {
            foreach (var kind in Enum.GetValues<StorageFaultKind>())
            {
                var value = faults.Any(f => f.File == file.Name && f.Kind == kind) ? 1 : 0;
                yield return new Measurement<int>(value, new("file", file.Name), new("kind", StorageFault.Label(kind)));
            }
        }
    }
}
