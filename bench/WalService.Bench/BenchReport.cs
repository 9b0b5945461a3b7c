using System.Globalization;

namespace WalService.Bench;

/// <summary>The results of a run and the issue's targets, as plain text and as markdown for docs/performance.md.</summary>
internal sealed record BenchReport
{
    /// <summary>Single writes should reach at least this fraction of the Health/Check calls per second.</summary>
    public const double SingleToHealthTarget = 0.5;

    /// <summary>Batches should move at least this many times the messages per second of single writes.</summary>
    public const double BatchToSingleTarget = 10;

    public required BenchSettings Settings { get; init; }

    public PhaseResult? Health { get; init; }

    public PhaseResult? Single { get; init; }

    public PhaseResult? Batch { get; init; }

    public long? ServerPeakRssBytes { get; init; }

    public long? ClientPeakRssBytes { get; init; }

    /// <summary>WriteToLog calls/s ÷ Health/Check calls/s; null unless both phases ran.</summary>
    public double? SingleToHealth => Health is { CallsPerSecond: > 0 } h && Single is { } s ? s.CallsPerSecond / h.CallsPerSecond : null;

    /// <summary>WriteToLogBatch messages/s ÷ WriteToLog messages/s; null unless both phases ran.</summary>
    public double? BatchToSingle => Single is { MessagesPerSecond: > 0 } s && Batch is { } b ? b.MessagesPerSecond / s.MessagesPerSecond : null;

    private IEnumerable<PhaseResult> Phases => new[] { Health, Single, Batch }.OfType<PhaseResult>();

    public void WriteText(TextWriter w)
    {
        w.WriteLine();
        w.WriteLine(Describe());
        w.WriteLine();
        w.WriteLine($"{"phase",-22} {"calls/s",9} {"msgs/s",10} {"p50 ms",8} {"p99 ms",8} {"p999 ms",8} {"max ms",8} {"notTRUE",8} {"errors",7} {"bench CPU",9} {"server CPU",10} {"other CPU",9} {"applied/s",10}");
        foreach (var p in Phases)
        {
            w.WriteLine($"{p.Name,-22} {N(p.CallsPerSecond, 0),9} {N(p.MessagesPerSecond, 0),10} {N(p.Latency.PercentileMs(50), 2),8} {N(p.Latency.PercentileMs(99), 2),8} {N(p.Latency.PercentileMs(99.9), 2),8} {N(p.Latency.MaxMs, 2),8} {p.TotalNotDurable,8} {p.ErrorCount,7} {Pct(p.ClientCpuPercent),9} {Pct(p.ServerCpuPercent),10} {Pct(p.OtherCpuPercent ?? p.MachineCpuPercent - p.ClientCpuPercent),9} {Opt(p.AppliedPerSecond),10}");
        }

        if (Phases.Any(p => p.ServerCpuPercent is null))
        {
            w.WriteLine("(the bench did not start the server, so 'other CPU' includes the server's)");
        }

        w.WriteLine();
        if (SingleToHealth is { } sh)
        {
            w.WriteLine($"WriteToLog calls/s / Health/Check calls/s = {N(sh, 3)} (target >= {N(SingleToHealthTarget, 2)}: {Verdict(sh >= SingleToHealthTarget)})");
        }

        if (BatchToSingle is { } bs)
        {
            w.WriteLine($"WriteToLogBatch msgs/s / WriteToLog msgs/s = {N(bs, 1)} (target >= {N(BatchToSingleTarget, 0)}: {Verdict(bs >= BatchToSingleTarget)})");
        }

        foreach (var p in Phases.Where(p => p.Drain is not null))
        {
            w.WriteLine($"backlog after {p.Name}: {DescribeDrain(p)}");
        }

        w.WriteLine($"server peak RSS (VmHWM): {Mib(ServerPeakRssBytes, "n/a (the bench did not start the server)")}; bench peak RSS: {Mib(ClientPeakRssBytes, "n/a")}");
        foreach (var p in Phases.Where(p => p.FirstProblem is not null))
        {
            w.WriteLine($"{p.Name}: {p.TotalNotDurable} not TRUE, errors {string.Join(", ", p.Errors.Select(e => $"{e.Key} x{e.Value}"))}; first: {p.FirstProblem}");
        }
    }

    public void WriteMarkdown(TextWriter w)
    {
        w.WriteLine($"<!-- {Describe()} -->");
        w.WriteLine("| phase | calls/s | messages/s | p50 ms | p99 ms | p99.9 ms | max ms | not TRUE | errors | bench CPU | server CPU | other CPU | applied/s in window | backlog at window end | drain after the phase |");
        w.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var p in Phases)
        {
            var drain = p.Drain is null ? "-" : DescribeDrainShort(p.Drain);
            w.WriteLine($"| {p.Name} | {N(p.CallsPerSecond, 0)} | {N(p.MessagesPerSecond, 0)} | {N(p.Latency.PercentileMs(50), 2)} | {N(p.Latency.PercentileMs(99), 2)} | {N(p.Latency.PercentileMs(99.9), 2)} | {N(p.Latency.MaxMs, 2)} | {p.TotalNotDurable} | {p.ErrorCount} | {Pct(p.ClientCpuPercent)} | {Pct(p.ServerCpuPercent)} | {Pct(p.OtherCpuPercent ?? p.MachineCpuPercent - p.ClientCpuPercent)} | {Opt(p.AppliedPerSecond)} | {(p.Drain is null ? "-" : Opt(p.BacklogAtWindowEnd))} | {drain} |");
        }

        w.WriteLine();
        w.WriteLine("| ratio | measured | target | result |");
        w.WriteLine("|---|---:|---:|---|");
        if (SingleToHealth is { } sh)
        {
            w.WriteLine($"| WriteToLog calls/s ÷ Health/Check calls/s | {N(sh, 3)} | ≥ {N(SingleToHealthTarget, 2)} | {Verdict(sh >= SingleToHealthTarget)} |");
        }

        if (BatchToSingle is { } bs)
        {
            w.WriteLine($"| WriteToLogBatch messages/s ÷ WriteToLog messages/s | {N(bs, 1)} | ≥ {N(BatchToSingleTarget, 0)} | {Verdict(bs >= BatchToSingleTarget)} |");
        }
        w.WriteLine();
        w.WriteLine($"Server peak RSS (VmHWM): {Mib(ServerPeakRssBytes, "n/a (the bench did not start the server)")}; bench peak RSS: {Mib(ClientPeakRssBytes, "n/a")}.");
    }

    private string Describe() =>
        $"{Settings.Concurrency} concurrent calls over {Settings.Connections} HTTP/2 connections, {Settings.PayloadBytes}-byte payloads, batch {Settings.BatchSize}, " +
        $"{N(Settings.Warmup.TotalSeconds, 0)} s warmup (the first phase {N(Settings.InitialWarmup.TotalSeconds, 0)} s more) + {N(Settings.Duration.TotalSeconds, 0)} s measured per phase, against {Settings.Address}";

    private static string DescribeDrain(PhaseResult p)
    {
        if (p.Drain is not { } d)
        {
            return "not watched";
        }

        var counts = d.Written >= 0 ? $"{d.Written} written, {d.Applied} applied, {d.DeadLettered} dead-lettered since the phase began; " : string.Empty;
        var backlog = p.BacklogAtWindowEnd is { } b ? $"backlog when the window closed {b}; " : string.Empty;
        var rate = d.AppliedPerSecond is { } r ? $"applied {N(r, 0)}/s while draining; " : string.Empty;
        return $"{(d.Drained ? "drained" : "NOT drained")} {N(d.Elapsed.TotalSeconds, 1)} s after the phase ({counts}{backlog}{rate}last id {d.LastMessageState}; by {d.Method})";
    }

    private static string DescribeDrainShort(DrainResult d)
    {
        var rate = d.AppliedPerSecond is { } r ? $", {N(r, 0)} applied/s" : string.Empty;
        return d.Drained
            ? $"drained in {N(d.Elapsed.TotalSeconds, 1)} s{rate}"
            : $"NOT drained after {N(d.Elapsed.TotalSeconds, 1)} s ({N(d.Written - d.Applied - d.DeadLettered, 0)} left{rate})";
    }

    private static string Verdict(bool pass) => pass ? "PASS" : "FAIL";

    private static string N(double value, int decimals) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string Pct(double? value) => value is { } v ? N(v, 0) + "%" : "-";

    private static string Opt(double? value) => value is { } v ? N(v, 0) : "-";

    private static string Opt(long? value) => value is { } v ? N(v, 0) : "-";

    private static string Mib(long? bytes, string missing) => bytes is { } b ? N(b / 1024.0 / 1024.0, 1) + " MiB" : missing;
}
