using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using WalService.Core.Abstractions;

namespace WalService.Core.Telemetry;

/// <summary>
/// The service's instruments, on the meter <see cref="MeterName"/>. Names follow OpenTelemetry conventions; the
/// Prometheus exporter turns <c>wal.writes</c> into <c>wal_writes_total</c> and seconds histograms into
/// <c>_seconds</c> series.
/// </summary>
public sealed class WalMetrics : IDisposable
{
    public const string MeterName = "WalService";

    private readonly Meter _meter;
    private readonly Counter<long> _writes;
    private readonly Histogram<double> _writeDuration;
    private readonly Counter<long> _deliveries;
    private readonly Histogram<double> _deliveryLag;
    private readonly ConcurrentDictionary<string, Backlog> _backlogs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, long>> _regionBacklogs = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public WalMetrics(IMeterFactory meterFactory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _time = time;
        _meter = meterFactory.Create(MeterName);
        _writes = _meter.CreateCounter<long>("wal.writes", "{message}", "Messages written, by namespace and outcome (durable, rejected code, failed).");
        _writeDuration = _meter.CreateHistogram<double>("wal.write.duration", "s", "Time from receiving a write call (WriteToLog or WriteToLogBatch) to answering it, once per call and namespace.");
        _deliveries = _meter.CreateCounter<long>("wal.deliveries", "{delivery}", "Delivery attempts, by namespace and outcome (applied, retry, dead_letter).");
        _deliveryLag = _meter.CreateHistogram<double>("wal.delivery.lag", "s", "Time from a message's due time to its being applied.");
        _meter.CreateObservableGauge("wal.backlog", ObserveBacklog, "{message}", "Messages not yet applied, by namespace and state (pending, delayed, in_flight).");
        _meter.CreateObservableGauge("wal.dead_letters", () => Observe(b => b.DeadLetters), "{message}", "Messages in the dead-letter queue, by namespace.");
        _meter.CreateObservableGauge("wal.oldest_due.age", ObserveOldestDue, "s", "Age of the oldest due message no worker holds yet, by namespace.");
        _meter.CreateObservableGauge("wal.region.backlog", ObserveRegionBacklog, "{message}", "Replicas not yet applied nor dead-lettered, by replicated namespace and region (embedded log only).");
    }

    /// <summary>Counts <paramref name="count"/> entries of one outcome; measures the call when <paramref name="elapsed"/> is given.</summary>
    public void Write(string ns, string outcome, int count, TimeSpan? elapsed)
    {
        var tags = new TagList { { "namespace", ns }, { "outcome", outcome } };
        _writes.Add(count, tags);
        if (elapsed is { } duration)
        {
            _writeDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("namespace", ns));
        }
    }

    /// <summary>Counts one delivery's verdict, by namespace and, for a replica, its region; measures the lag of an applied one.</summary>
    public void Delivery(string ns, string region, DeliveryVerdict verdict, TimeSpan lagFromDue)
    {
        var outcome = verdict switch
        {
            DeliveryVerdict.Applied => "applied",
            DeliveryVerdict.Retry => "retry",
            _ => "dead_letter",
        };
        var tags = new TagList { { "namespace", ns } };
        if (region.Length > 0)
        {
            tags.Add("region", region);
        }

        if (verdict == DeliveryVerdict.Applied)
        {
            _deliveryLag.Record(Math.Max(0, lagFromDue.TotalSeconds), tags);
        }

        tags.Add("outcome", outcome);
        _deliveries.Add(1, tags);
    }

    /// <summary>Publishes a namespace's latest backlog snapshot; gauges read the snapshots at scrape time.</summary>
    public void SetBacklog(string ns, Backlog backlog) => _backlogs[ns] = backlog;

    /// <summary>Publishes a replicated namespace's latest backlog by region.</summary>
    public void SetRegionBacklog(string ns, IReadOnlyDictionary<string, long> byRegion) => _regionBacklogs[ns] = byRegion;

    /// <summary>Stops reporting namespaces that are gone.</summary>
    public void RetainNamespaces(IReadOnlySet<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (var ns in _backlogs.Keys.Where(n => !names.Contains(n)))
        {
            _backlogs.TryRemove(ns, out _);
        }

        foreach (var ns in _regionBacklogs.Keys.Where(n => !names.Contains(n)))
        {
            _regionBacklogs.TryRemove(ns, out _);
        }
    }

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveBacklog()
    {
        foreach (var (ns, b) in _backlogs)
        {
            yield return new Measurement<long>(b.Pending, new("namespace", ns), new("state", "pending"));
            yield return new Measurement<long>(b.Delayed, new("namespace", ns), new("state", "delayed"));
            yield return new Measurement<long>(b.InFlight, new("namespace", ns), new("state", "in_flight"));
        }
    }

    private IEnumerable<Measurement<long>> ObserveRegionBacklog()
    {
        foreach (var (ns, byRegion) in _regionBacklogs)
        {
            foreach (var (region, count) in byRegion)
            {
                yield return new Measurement<long>(count, new("namespace", ns), new("region", region));
            }
        }
    }

    private IEnumerable<Measurement<long>> Observe(Func<Backlog, long> select) =>
        _backlogs.Select(kv => new Measurement<long>(select(kv.Value), new KeyValuePair<string, object?>("namespace", kv.Key)));

    private IEnumerable<Measurement<double>> ObserveOldestDue()
    {
        var now = _time.GetUtcNow();
        foreach (var (ns, b) in _backlogs)
        {
            var age = b.OldestDue is { } due && due < now ? (now - due).TotalSeconds : 0;
            yield return new Measurement<double>(age, new KeyValuePair<string, object?>("namespace", ns));
        }
    }
}
