using System.Globalization;

namespace WalService.PeerBench;

/// <summary>The report of a peer run: one row a system, as plain text or as markdown for <c>docs/performance.md</c>.</summary>
internal static class PeerTable
{
    private static readonly string[] Columns =
    [
        "system", "durable enqueues/s (before fault)", "enqueues/s (whole write phase)", "applied/s", "lateness p50 / p99 / max ms", "early (min lateness ms)",
        "written / errors", "lost", "delivered despite error", "duplicates", "CPU s / 1,000 msgs: bench / server / PostgreSQL / total", "peak MB: bench / server",
    ];

    public static void Write(IReadOnlyList<PeerResult> results, PeerSettings settings, bool markdown, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"{settings.Messages} messages of {settings.PayloadBytes} bytes per system from {settings.Concurrency} callers, delays {settings.DelayMin.TotalSeconds:0.###}-{settings.DelayMax.TotalSeconds:0.###} s, " +
            $"handler concurrency {settings.HandlerConcurrency}; PostgreSQL stopped for {settings.Fault.TotalSeconds:0.#} s once half the messages were attempted; lost = written, not delivered {settings.Deadline.TotalSeconds:0} s after the last due time");
        var rows = results.Select(Row).ToList();
        if (markdown)
        {
            output.WriteLine();
            output.WriteLine("| " + string.Join(" | ", Columns) + " |");
            output.WriteLine("|" + string.Concat(Columns.Select(c => c == "system" ? "---|" : "---:|")));
            foreach (var row in rows)
            {
                output.WriteLine("| " + string.Join(" | ", row) + " |");
            }
        }
        else
        {
            foreach (var row in rows)
            {
                output.WriteLine();
                for (var i = 0; i < Columns.Length; i++)
                {
                    output.WriteLine($"  {Columns[i],-56} {row[i]}");
                }
            }
        }

        output.WriteLine();
        foreach (var result in results)
        {
            output.WriteLine($"{result.System}: {result.Producers}");
            foreach (var sample in result.ErrorSamples)
            {
                output.WriteLine($"  error seen by a writer: {sample}");
            }
        }
    }

    private static string[] Row(PeerResult r) =>
    [
        r.System,
        N(r.EnqueuesPerSecondBeforeFault, 0),
        N(r.EnqueuesPerSecond, 0),
        N(r.AppliedPerSecond, 0),
        $"{N(r.LatenessP50Ms, 1)} / {N(r.LatenessP99Ms, 1)} / {N(r.LatenessMaxMs, 1)}",
        $"{N(r.Early, 0)} ({N(r.LatenessMinMs, 1)})",
        $"{N(r.Written, 0)} / {N(r.WriteErrors, 0)}",
        N(r.Lost, 0),
        N(r.DeliveredDespiteError, 0),
        N(r.Duplicates, 0),
        $"{N(r.CpuPerThousand(r.BenchCpuSeconds), 3)} / {(r.ServerCpuSeconds is { } s ? N(r.CpuPerThousand(s), 3) : "–")} / {N(r.CpuPerThousand(r.PostgresCpuSeconds), 3)} / {N(r.CpuPerThousand(r.TotalCpuSeconds), 3)}",
        $"{N(r.BenchPeakBytes / 1048576.0, 0)} / {(r.ServerPeakBytes is { } p ? N(p / 1048576.0, 0) : "–")}",
    ];

    private static string N(double value, int decimals) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
