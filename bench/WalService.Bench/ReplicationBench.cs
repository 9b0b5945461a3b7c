namespace WalService.Bench;

/// <summary>
/// The replication mode (<c>--mode replication</c>): starts three regions (<see cref="ReplicationCluster"/>), then
/// compares the replicated namespace's messages applied in every region a second with the single-region one's
/// (<see cref="ReplicationThroughput"/>), and times paced writes to the last region's Redis (<see cref="ReplicationLateness"/>).
/// </summary>
internal static class ReplicationBench
{
    public static async Task<(ReplicationReport Throughput, TimingReport Lateness)> RunAsync(BenchSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        var loadBefore = TimingReport.ReadLoadAverage();
        await using var cluster = await ReplicationCluster.StartAsync(settings, output, cancellationToken);
        var phases = await ReplicationThroughput.RunAsync(settings, cluster, output, cancellationToken);
        var throughput = new ReplicationReport
        {
            Settings = settings,
            Phases = phases,
            Machine = Machine(),
            LoadBefore = loadBefore,
            LoadAfter = TimingReport.ReadLoadAverage(),
        };
        var lateness = await ReplicationLateness.RunAsync(settings, cluster, phases.All(p => p.Drained), output, cancellationToken) with
        {
            ServerPeakRssBytes = cluster.Home.Server.PeakRssBytes(),
            LoadAverage = TimingReport.ReadLoadAverage(),
        };
        return (throughput, lateness);
    }

    /// <summary>The cores and the CPU model (<c>/proc/cpuinfo</c>'s first <c>model name</c>).</summary>
    private static string Machine()
    {
        const string path = "/proc/cpuinfo";
        var model = File.Exists(path)
            ? File.ReadLines(path).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return $"{Environment.ProcessorCount} cores, {model ?? "CPU model unknown"}";
    }
}
