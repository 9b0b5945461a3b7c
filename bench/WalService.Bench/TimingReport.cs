using static WalService.Bench.PhaseTable;

namespace WalService.Bench;

/// <summary>One figure of a timing mode: what was measured, its value, and the issue's target for it where there is one.</summary>
internal sealed record TimingRow(string Measure, string Value, string? Target = null, bool? Met = null);

/// <summary>The result of a delivery-timing mode, as plain text and as markdown for docs/performance.md.</summary>
internal sealed record TimingReport
{
    /// <summary>The mode and the backend, e.g. "lateness, embedded".</summary>
    public required string Title { get; init; }

    /// <summary>What was written where, and how, in one line.</summary>
    public required string Description { get; init; }

    public required IReadOnlyList<TimingRow> Rows { get; init; }

    public long? ServerPeakRssBytes { get; init; }

    /// <summary>The machine's load average over 1, 5 and 15 minutes when the mode ended (<c>/proc/loadavg</c>), to tell a run that shared the cores.</summary>
    public string? LoadAverage { get; init; }

    /// <summary>The first three fields of <c>/proc/loadavg</c>; null where there is none.</summary>
    public static string? ReadLoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null;

    public void WriteText(TextWriter w)
    {
        w.WriteLine();
        w.WriteLine($"{Title}: {Description}");
        w.WriteLine();
        var width = Rows.Max(r => r.Measure.Length);
        foreach (var row in Rows)
        {
            var target = row.Target is null ? string.Empty : $"  (target {row.Target}{(row.Met is { } met ? ": " + Verdict(met) : string.Empty)})";
            w.WriteLine($"{row.Measure.PadRight(width)}  {row.Value}{target}");
        }

        w.WriteLine($"server peak RSS (VmHWM): {Mib(ServerPeakRssBytes, "n/a (the bench did not start the server)")}; load average at the end: {LoadAverage ?? "n/a"}");
    }

    public void WriteMarkdown(TextWriter w)
    {
        w.WriteLine($"<!-- {Title}: {Description} -->");
        w.WriteLine($"| {Title} | measured | target | result |");
        w.WriteLine("|---|---:|---:|---|");
        foreach (var row in Rows)
        {
            w.WriteLine($"| {row.Measure} | {row.Value} | {row.Target ?? "-"} | {(row.Met is { } met ? Verdict(met) : "-")} |");
        }

        w.WriteLine();
        w.WriteLine($"Server peak RSS (VmHWM): {Mib(ServerPeakRssBytes, "n/a (the bench did not start the server)")}; load average (1, 5, 15 min) at the end: {LoadAverage ?? "n/a"}.");
    }

    /// <summary>Milliseconds, one decimal.</summary>
    public static string Ms(double ms) => N(ms, 1) + " ms";

    /// <summary>Seconds, two decimals.</summary>
    public static string S(double seconds) => N(seconds, 2) + " s";

    /// <summary>The nearest-rank <paramref name="percentile"/> of ascending <paramref name="sorted"/>; 0 when empty.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percentile)
    {
        if (sorted.Count == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }

    /// <summary>Rows p50, p90, p99 and max of <paramref name="values"/> (milliseconds), the p99 and max held to <paramref name="p99Target"/> when given.</summary>
    public static IEnumerable<TimingRow> Spread(string what, IEnumerable<double> values, double? p99Target = null)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
        {
            yield return new TimingRow($"{what}", "no samples");
            yield break;
        }

        yield return new TimingRow($"{what} p50", Ms(Percentile(sorted, 50)));
        yield return new TimingRow($"{what} p90", Ms(Percentile(sorted, 90)));
        var p99 = Percentile(sorted, 99);
        yield return p99Target is { } t
            ? new TimingRow($"{what} p99", Ms(p99), "≤ " + Ms(t), p99 <= t)
            : new TimingRow($"{what} p99", Ms(p99));
        yield return new TimingRow($"{what} max", Ms(sorted[^1]));
    }
}
