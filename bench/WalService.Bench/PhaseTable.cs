using System.Globalization;

namespace WalService.Bench;

/// <summary>The per-phase table of a report, as plain text and as markdown, and the number formats every report uses.</summary>
internal static class PhaseTable
{
    public static void WriteTextHeader(TextWriter w) =>
        w.WriteLine($"{"phase",-22} {"calls/s",9} {"msgs/s",10} {"p50 ms",8} {"p99 ms",8} {"p999 ms",8} {"max ms",8} {"notTRUE",8} {"errors",7} {"bench CPU",9} {"server CPU",10} {"other CPU",9} {"applied/s",10}");

    public static void WriteTextRow(TextWriter w, PhaseResult p) =>
        w.WriteLine($"{p.Name,-22} {N(p.CallsPerSecond, 0),9} {N(p.MessagesPerSecond, 0),10} {N(p.Latency.PercentileMs(50), 2),8} {N(p.Latency.PercentileMs(99), 2),8} {N(p.Latency.PercentileMs(99.9), 2),8} {N(p.Latency.MaxMs, 2),8} {p.TotalNotDurable,8} {p.ErrorCount,7} {Pct(p.ClientCpuPercent),9} {Pct(p.ServerCpuPercent),10} {Pct(p.OtherCpuPercent ?? p.MachineCpuPercent - p.ClientCpuPercent - p.SeparateEmulatorCpuPercent),9} {Opt(p.AppliedPerSecond),10}");

    public static void WriteMarkdownHeader(TextWriter w)
    {
        w.WriteLine("| phase | calls/s | messages/s | p50 ms | p99 ms | p99.9 ms | max ms | not TRUE | errors | bench CPU | server CPU | other CPU | applied/s in window | backlog at window end | drain after the phase |");
        w.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    }

    public static void WriteMarkdownRow(TextWriter w, PhaseResult p)
    {
        var drain = p.Drain is null ? "-" : DescribeDrainShort(p.Drain);
        w.WriteLine($"| {p.Name} | {N(p.CallsPerSecond, 0)} | {N(p.MessagesPerSecond, 0)} | {N(p.Latency.PercentileMs(50), 2)} | {N(p.Latency.PercentileMs(99), 2)} | {N(p.Latency.PercentileMs(99.9), 2)} | {N(p.Latency.MaxMs, 2)} | {p.TotalNotDurable} | {p.ErrorCount} | {Pct(p.ClientCpuPercent)} | {Pct(p.ServerCpuPercent)} | {Pct(p.OtherCpuPercent ?? p.MachineCpuPercent - p.ClientCpuPercent - p.SeparateEmulatorCpuPercent)} | {Opt(p.AppliedPerSecond)} | {(p.Drain is null ? "-" : Opt(p.BacklogAtWindowEnd))} | {drain} |");
    }

    /// <summary>The drain after a write phase in one sentence, for the plain-text report.</summary>
    public static string DescribeDrain(PhaseResult p)
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

    /// <summary>Non-TRUE answers and errors of each phase that had any.</summary>
    public static void WriteProblems(TextWriter w, IEnumerable<PhaseResult> phases)
    {
        foreach (var p in phases.Where(p => p.FirstProblem is not null))
        {
            w.WriteLine($"{p.Name}: {p.TotalNotDurable} not TRUE, errors {string.Join(", ", p.Errors.Select(e => $"{e.Key} x{e.Value}"))}; first: {p.FirstProblem}");
        }
    }

    public static string Verdict(bool pass) => pass ? "PASS" : "FAIL";

    public static string N(double value, int decimals) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string Pct(double? value) => value is { } v ? N(v, 0) + "%" : "-";

    public static string Mib(long? bytes, string missing) => bytes is { } b ? N(b / 1024.0 / 1024.0, 1) + " MiB" : missing;

    private static string DescribeDrainShort(DrainResult d)
    {
        var rate = d.AppliedPerSecond is { } r ? $", {N(r, 0)} applied/s" : string.Empty;
        return d.Drained
            ? $"drained in {N(d.Elapsed.TotalSeconds, 1)} s{rate}"
            : $"NOT drained after {N(d.Elapsed.TotalSeconds, 1)} s ({N(d.Written - d.Applied - d.DeadLettered, 0)} left{rate})";
    }

    private static string Opt(double? value) => value is { } v ? N(v, 0) : "-";

    private static string Opt(long? value) => value is { } v ? N(v, 0) : "-";
}
