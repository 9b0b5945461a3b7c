using System.Diagnostics;
using System.Security.Cryptography;
using Google.Protobuf;

namespace WalService.Bench;

/// <summary>A delivery counter the throughput phase watches: a namespace's applied deliveries on one server (of one region of a replicated namespace).</summary>
/// <param name="Label">What it counts, in words, e.g. <c>b's Redis</c>.</param>
/// <param name="EndToEnd">Whether it counts applies to a Redis (the phase ends when every such counter has them all), not forwards.</param>
internal sealed record WatchedCounter(string Label, MetricsScraper Metrics, bool EndToEnd);

/// <summary>One throughput phase of the replication mode.</summary>
/// <param name="Replicated">Whether it wrote to the replicated namespace (else the single-region one).</param>
/// <param name="Writes">The write phase: the rates and latencies of its measured window, its totals.</param>
/// <param name="Done">For each watched counter (in order), when it reached the phase's durable writes, from the phase's first write; null if it did not in time.</param>
/// <param name="Reached">For each watched counter, the deliveries it applied since the phase began, when the wait ended.</param>
/// <param name="ServerCpuPercent">Each region's server's CPU from the first write until the end, in percent of one core.</param>
/// <param name="BenchCpuPercent">The bench's CPU over the same time.</param>
/// <param name="MachineCpuPercent">The whole machine's busy CPU over the same time; null without /proc/stat.</param>
internal sealed record ThroughputPhase(
    string Name,
    bool Replicated,
    PhaseResult Writes,
    IReadOnlyList<WatchedCounter> Counters,
    IReadOnlyList<TimeSpan?> Done,
    IReadOnlyList<long> Reached,
    IReadOnlyList<double?> ServerCpuPercent,
    double BenchCpuPercent,
    double? MachineCpuPercent)
{
    /// <summary>Every Redis applied every message the phase wrote durably.</summary>
    public bool Drained => Counters.Zip(Done).All(c => !c.First.EndToEnd || c.Second is not null);

    /// <summary>From the first write to the last Redis having applied them all; null when one did not in time.</summary>
    public TimeSpan? Elapsed => Drained ? Counters.Zip(Done).Where(c => c.First.EndToEnd).Max(c => c.Second) : null;

    /// <summary>Durable messages of the whole phase (warmup included) ÷ <see cref="Elapsed"/>: messages a second applied in every region.</summary>
    public double? AppliedPerSecond => Elapsed is { } e ? Writes.TotalDurable / e.TotalSeconds : null;
}

/// <summary>
/// The throughput phases of the replication mode: WriteToLogBatch calls of cache mutation batches
/// (<see cref="GrpcCalls.CacheBatch"/>) to the single-region namespace and to the replicated one, in alternating
/// order round by round, as fast as <c>--concurrency</c> loops go for <c>--warmup</c> + <c>--duration</c>; then the
/// wait until every region's Redis has applied all of them, by the servers' <c>wal_deliveries_total{outcome="applied"}</c>
/// of the namespaces that apply to a Redis (exact: each counts one per applied delivery).
/// </summary>
internal static class ReplicationThroughput
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(25);

    public static async Task<IReadOnlyList<ThroughputPhase>> RunAsync(BenchSettings settings, ReplicationCluster cluster, TextWriter output, CancellationToken cancellationToken)
    {
        using var channels = new ChannelSet(cluster.Home.Server.GrpcAddress, settings.Connections);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var (a, b, c) = (cluster.Regions[0], cluster.Regions[1], cluster.Regions[2]);
        WatchedCounter[] single = [new("a's Redis", new(http, a.Server.OpsAddress, ReplicationCluster.Single), true)];
        WatchedCounter[] replicated =
        [
            new("a's Redis", new(http, a.Server.OpsAddress, ReplicationCluster.Replicated, "a"), true),
            new("forwarded to b", new(http, a.Server.OpsAddress, ReplicationCluster.Replicated, "b"), false),
            new("forwarded to c", new(http, a.Server.OpsAddress, ReplicationCluster.Replicated, "c"), false),
            new("b's Redis", new(http, b.Server.OpsAddress, ReplicationCluster.Cache), true),
            new("c's Redis", new(http, c.Server.OpsAddress, ReplicationCluster.Cache), true),
        ];
        var cpu = cluster.Regions.Select(r => new Probe(r.Server.Process, null)).ToList();

        var phases = new List<ThroughputPhase>();
        for (var round = 1; round <= settings.Rounds; round++)
        {
            var phaseSettings = round == 1 ? settings with { Warmup = settings.Warmup + settings.InitialWarmup } : settings;
            foreach (var replicatedTurn in round % 2 == 1 ? [false, true] : (bool[])[true, false])
            {
                var ns = replicatedTurn ? ReplicationCluster.Replicated : ReplicationCluster.Single;
                output.WriteLine($"round {round}, {ns}: {settings.Concurrency} concurrent WriteToLogBatch calls of {settings.BatchSize} cache mutation batches");
                var counters = replicatedTurn ? replicated : single;
                var phase = await RunPhaseAsync($"{ns} #{round}", replicatedTurn, phaseSettings, counters, channels, a.Server.Process, cpu, cancellationToken);
                output.WriteLine($"  {phase.Writes.TotalDurable} durable; {Describe(phase)}");
                phases.Add(phase);
            }
        }

        return phases;
    }

    /// <summary>Each counter and when it had every message (or how many it had when the wait ended), in words.</summary>
    public static string Describe(ThroughputPhase phase) => string.Join(
        ", ",
        phase.Counters.Select((counter, i) => $"{counter.Label} {(phase.Done[i] is { } d ? PhaseTable.N(d.TotalSeconds, 2) + " s" : $"NOT all: {phase.Reached[i]} of {phase.Writes.TotalDurable}")}"));

    private static async Task<ThroughputPhase> RunPhaseAsync(
        string name,
        bool replicated,
        BenchSettings settings,
        WatchedCounter[] counters,
        ChannelSet channels,
        Process home,
        List<Probe> cpu,
        CancellationToken cancellationToken)
    {
        var ns = replicated ? ReplicationCluster.Replicated : ReplicationCluster.Single;
        var value = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(settings.PayloadBytes));
        var before = await AppliedBeforeAsync(counters, cancellationToken);
        var cpuBefore = await TakeAllAsync(cpu, cancellationToken);
        var started = Stopwatch.GetTimestamp();
        var writes = await LoadGenerator.RunAsync(
            name, settings, i => GrpcCalls.CacheBatch(channels, i, ns, value, settings.BatchSize), new Probe(home, counters[0].Metrics), cancellationToken);

        var done = new TimeSpan?[counters.Length];
        var reached = new long[counters.Length];
        var writesEnded = Stopwatch.GetTimestamp();
        while (done.Where((_, i) => counters[i].EndToEnd).Any(d => d is null) && Stopwatch.GetElapsedTime(writesEnded) < settings.DrainTimeout)
        {
            var now = await AppliedAsync(counters, cancellationToken);
            var at = Stopwatch.GetElapsedTime(started);
            for (var i = 0; i < counters.Length; i++)
            {
                reached[i] = now[i] is { } applied ? applied - before[i] : reached[i];
                if (done[i] is null && reached[i] >= writes.TotalDurable)
                {
                    done[i] = at;
                }
            }

            await Task.Delay(PollEvery, cancellationToken);
        }

        var cpuAfter = await TakeAllAsync(cpu, cancellationToken);
        return new ThroughputPhase(
            name,
            replicated,
            writes,
            counters,
            done,
            reached,
            cpuBefore.Zip(cpuAfter, (x, y) => ProbeSnapshot.CpuPercent(x.ServerCpu, y.ServerCpu, x, y)).ToList(),
            ProbeSnapshot.CpuPercent(cpuBefore[0].ClientCpu, cpuAfter[0].ClientCpu, cpuBefore[0], cpuAfter[0]) ?? 0,
            ProbeSnapshot.CpuPercent(cpuBefore[0].MachineCpu, cpuAfter[0].MachineCpu, cpuBefore[0], cpuAfter[0]));
    }

    /// <summary>Each counter's applied deliveries now; null for one whose <c>/metrics</c> did not answer this time.</summary>
    private static async Task<long?[]> AppliedAsync(WatchedCounter[] counters, CancellationToken cancellationToken)
    {
        var counts = await Task.WhenAll(counters.Select(c => c.Metrics.TryReadAsync(cancellationToken)));
        return [.. counts.Select(c => c?.Applied)];
    }

    private static async Task<long[]> AppliedBeforeAsync(WatchedCounter[] counters, CancellationToken cancellationToken)
    {
        var counts = await AppliedAsync(counters, cancellationToken);
        return [.. counts.Select((c, i) => c ?? throw new InvalidOperationException($"{counters[i].Metrics.Address} does not answer; the replication mode counts deliveries there"))];
    }

    private static async Task<ProbeSnapshot[]> TakeAllAsync(List<Probe> probes, CancellationToken cancellationToken)
    {
        var snapshots = new ProbeSnapshot[probes.Count];
        for (var i = 0; i < probes.Count; i++)
        {
            snapshots[i] = await probes[i].TakeAsync(cancellationToken);
        }

        return snapshots;
    }
}
