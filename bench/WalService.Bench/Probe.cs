using System.Diagnostics;

namespace WalService.Bench;

/// <summary>Server-side delivery counters of the bench namespace, read from <c>/metrics</c>.</summary>
/// <param name="Written">Writes answered durable (<c>wal_writes_total{outcome="durable"}</c>).</param>
/// <param name="Applied">Deliveries applied (<c>wal_deliveries_total{outcome="applied"}</c>).</param>
/// <param name="Retried">Deliveries that will be retried.</param>
/// <param name="DeadLettered">Deliveries that ended in the dead-letter queue.</param>
internal readonly record struct DeliveryCounts(long Written, long Applied, long Retried, long DeadLettered);

/// <summary>
/// CPU times (the bench's, the started server's, the whole machine's busy time, and the emulated backend's when there
/// is one: the Kafka mock cluster's thread inside the bench, or the SQS emulator's process, as
/// <paramref name="EmulatorInBench"/> says) and delivery counters at one moment.
/// </summary>
internal sealed record ProbeSnapshot(long Timestamp, TimeSpan ClientCpu, TimeSpan? ServerCpu, TimeSpan? MachineCpu, DeliveryCounts? Counts, TimeSpan? EmulatorCpu = null, bool EmulatorInBench = true)
{
    public static TimeSpan Elapsed(ProbeSnapshot from, ProbeSnapshot to) => Stopwatch.GetElapsedTime(from.Timestamp, to.Timestamp);

    public static double? CpuPercent(TimeSpan? fromCpu, TimeSpan? toCpu, ProbeSnapshot from, ProbeSnapshot to) =>
        fromCpu is { } a && toCpu is { } b ? (b - a).TotalSeconds / Elapsed(from, to).TotalSeconds * 100 : null;
}

/// <summary>
/// Takes <see cref="ProbeSnapshot"/>s: the bench's own CPU time, the started server's, and the metrics; with
/// <paramref name="emulator"/>, also the emulated backend's CPU time.
/// </summary>
internal sealed class Probe(Process? server, MetricsScraper? metrics, EmulatorCpu? emulator = null)
{
    public bool HasMetrics => metrics is not null;

    public async Task<ProbeSnapshot> TakeAsync(CancellationToken cancellationToken)
    {
        var counts = metrics is null ? null : await metrics.TryReadAsync(cancellationToken);
        using var self = Process.GetCurrentProcess();
        TimeSpan? serverCpu = null;
        if (server is { HasExited: false })
        {
            server.Refresh();
            serverCpu = server.TotalProcessorTime;
        }

        return new ProbeSnapshot(Stopwatch.GetTimestamp(), self.TotalProcessorTime, serverCpu, MachineBusy(), counts, emulator?.Read(), emulator?.InBench ?? true);
    }

    /// <summary>
    /// Busy time of all cores together since boot (user, nice, system, irq, softirq and steal of the first line of
    /// /proc/stat, counted in 1/100 s); null where there is no /proc/stat. Comparing it with the bench's and the
    /// server's own CPU shows how much other processes took while the phase ran.
    /// </summary>
    private static TimeSpan? MachineBusy()
    {
        const string path = "/proc/stat";
        if (!File.Exists(path))
        {
            return null;
        }

        var fields = File.ReadLines(path).First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 9 || fields[0] != "cpu")
        {
            return null;
        }

        long busy = 0;
        foreach (var index in (int[])[1, 2, 3, 6, 7, 8])
        {
            busy += long.Parse(fields[index], System.Globalization.CultureInfo.InvariantCulture);
        }

        return TimeSpan.FromMilliseconds(busy * 10);
    }
}
