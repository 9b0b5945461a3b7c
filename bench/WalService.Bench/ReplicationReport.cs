using static WalService.Bench.PhaseTable;

namespace WalService.Bench;

/// <summary>
/// The throughput half of the replication mode: each phase's writes and its messages applied in every region a
/// second, the replicated namespace's rate against the single-region one's by round and overall with the issue's
/// goal, and each server's CPU; as plain text and as markdown for docs/performance.md.
/// </summary>
internal sealed record ReplicationReport
{
    /// <summary>The least replicated ÷ single-region messages applied a second the issue asks for (replication makes three deliveries of each).</summary>
    public const double Target = 0.4;

    public required BenchSettings Settings { get; init; }

    /// <summary>Every phase in the order it ran.</summary>
    public required IReadOnlyList<ThroughputPhase> Phases { get; init; }

    /// <summary>The machine in words: cores and CPU model.</summary>
    public required string Machine { get; init; }

    /// <summary>The load average (1, 5, 15 min) before the first phase.</summary>
    public string? LoadBefore { get; init; }

    /// <summary>The load average (1, 5, 15 min) after the last phase.</summary>
    public string? LoadAfter { get; init; }

    private IEnumerable<ThroughputPhase> Single => Phases.Where(p => !p.Replicated);

    private IEnumerable<ThroughputPhase> Replicated => Phases.Where(p => p.Replicated);

    /// <summary>Messages applied in every region a second over all phases of one kind (their messages ÷ their times); null when one did not drain.</summary>
    private static double? AppliedRate(IEnumerable<ThroughputPhase> phases)
    {
        var list = phases.ToList();
        return list.All(p => p.Elapsed is not null) && list.Count > 0
            ? list.Sum(p => p.Writes.TotalDurable) / list.Sum(p => p.Elapsed!.Value.TotalSeconds)
            : null;
    }

    private static double WriteRate(IEnumerable<ThroughputPhase> phases)
    {
        var list = phases.ToList();
        var seconds = list.Sum(p => p.Writes.Duration.TotalSeconds);
        return seconds > 0 ? list.Sum(p => p.Writes.Messages) / seconds : 0;
    }

    private double? Ratio => AppliedRate(Replicated) is { } r && AppliedRate(Single) is { } s && s > 0 ? r / s : null;

    private IEnumerable<string> RoundRatios => Replicated.Zip(Single, (r, s) => r.AppliedPerSecond is { } a && s.AppliedPerSecond is { } b && b > 0 ? N(a / b, 3) : "-");

    private string Description =>
        $"replication throughput, embedded: {Settings.Concurrency} concurrent WriteToLogBatch calls of {Settings.BatchSize} cache mutation batches (one {Settings.PayloadBytes}-byte value each) over {Settings.Connections} HTTP/2 connections to region a; " +
        $"'{ReplicationCluster.Single}' = redis target to a's Redis, '{ReplicationCluster.Replicated}' = replicate (a: redis; b, c: wal to servers of their own, each with a redis target to its own Redis); " +
        $"{Settings.Rounds} rounds in alternating order, {N(Settings.Warmup.TotalSeconds, 1)} s warmup (the first round {N(Settings.InitialWarmup.TotalSeconds, 1)} s more) + {N(Settings.Duration.TotalSeconds, 1)} s of writes per phase, then until every Redis applied them all; " +
        $"consumer concurrency {Settings.ConsumerConcurrency}, batch {Settings.ConsumerBatchSize}";

    public void WriteText(TextWriter w)
    {
        w.WriteLine();
        w.WriteLine(Description);
        w.WriteLine($"machine: {Machine}; load average before {LoadBefore ?? "n/a"}, after {LoadAfter ?? "n/a"}");
        w.WriteLine();
        w.WriteLine($"{"phase",-16} {"writes/s",9} {"p50 ms",8} {"p99 ms",8} {"durable",9} {"all applied",11} {"applied/s",10} {"CPU a",6} {"CPU b",6} {"CPU c",6} {"bench",6} {"machine",7}");
        foreach (var p in Phases)
        {
            w.WriteLine($"{p.Name,-16} {N(p.Writes.MessagesPerSecond, 0),9} {N(p.Writes.Latency.PercentileMs(50), 2),8} {N(p.Writes.Latency.PercentileMs(99), 2),8} {p.Writes.TotalDurable,9} {Seconds(p.Elapsed),11} {Opt(p.AppliedPerSecond),10} {Pct(p.ServerCpuPercent[0]),6} {Pct(p.ServerCpuPercent[1]),6} {Pct(p.ServerCpuPercent[2]),6} {Pct(p.BenchCpuPercent),6} {Pct(p.MachineCpuPercent),7}");
        }

        w.WriteLine();
        foreach (var p in Phases)
        {
            w.WriteLine($"{p.Name}: all applied, from the first write: {ReplicationThroughput.Describe(p)}");
        }

        w.WriteLine();
        w.WriteLine($"single: {N(WriteRate(Single), 0)} writes/s, {Opt(AppliedRate(Single))} applied/s; replicated: {N(WriteRate(Replicated), 0)} writes/s, {Opt(AppliedRate(Replicated))} applied/s in every region (all rounds)");
        w.WriteLine(Ratio is { } ratio
            ? $"replicated / single applied/s = {N(ratio, 3)} (target >= {N(Target, 1)}: {Verdict(ratio >= Target)}); by round: {string.Join(", ", RoundRatios)}"
            : "replicated / single applied/s: n/a (a phase did not drain within --drain-timeout): FAIL");
        WriteProblems(w, Phases.Select(p => p.Writes));
    }

    public void WriteMarkdown(TextWriter w)
    {
        w.WriteLine($"<!-- {Description} -->");
        w.WriteLine("| phase | writes/s | write p50 ms | write p99 ms | durable | all applied after | applied/s in every region | CPU server a | CPU server b | CPU server c | CPU bench | CPU machine |");
        w.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var p in Phases)
        {
            w.WriteLine($"| {p.Name} | {N(p.Writes.MessagesPerSecond, 0)} | {N(p.Writes.Latency.PercentileMs(50), 2)} | {N(p.Writes.Latency.PercentileMs(99), 2)} | {p.Writes.TotalDurable} | {Seconds(p.Elapsed)} | {Opt(p.AppliedPerSecond)} | {Pct(p.ServerCpuPercent[0])} | {Pct(p.ServerCpuPercent[1])} | {Pct(p.ServerCpuPercent[2])} | {Pct(p.BenchCpuPercent)} | {Pct(p.MachineCpuPercent)} |");
        }

        w.WriteLine();
        w.WriteLine("| phase | all applied, from the first write |");
        w.WriteLine("|---|---|");
        foreach (var p in Phases)
        {
            w.WriteLine($"| {p.Name} | {ReplicationThroughput.Describe(p)} |");
        }

        w.WriteLine();
        w.WriteLine("| ratio | single applied/s | replicated applied/s | measured | by round | target | result |");
        w.WriteLine("|---|---:|---:|---:|---|---:|---|");
        var (measured, result) = Ratio is { } ratio ? (N(ratio, 3), Verdict(ratio >= Target)) : ("n/a (not drained)", Verdict(false));
        w.WriteLine($"| replicated (3 regions) ÷ single region, messages applied/s | {Opt(AppliedRate(Single))} | {Opt(AppliedRate(Replicated))} | {measured} | {string.Join(", ", RoundRatios)} | ≥ {N(Target, 1)} | {result} |");
        w.WriteLine();
        w.WriteLine($"Writes/s over the measured windows: single {N(WriteRate(Single), 0)}, replicated {N(WriteRate(Replicated), 0)}. Machine: {Machine}; load average (1, 5, 15 min) before {LoadBefore ?? "n/a"}, after {LoadAfter ?? "n/a"}.");
    }

    private static string Opt(double? value) => value is { } v ? N(v, 0) : "-";

    private static string Seconds(TimeSpan? value) => value is { } v ? N(v.TotalSeconds, 2) + " s" : "NOT drained";
}
