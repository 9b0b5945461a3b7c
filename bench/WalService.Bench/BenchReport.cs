using static WalService.Bench.PhaseTable;

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
        WriteTextHeader(w);
        foreach (var p in Phases)
        {
            WriteTextRow(w, p);
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
        WriteProblems(w, Phases);
    }

    public void WriteMarkdown(TextWriter w)
    {
        w.WriteLine($"<!-- {Describe()} -->");
        WriteMarkdownHeader(w);
        foreach (var p in Phases)
        {
            WriteMarkdownRow(w, p);
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
}
