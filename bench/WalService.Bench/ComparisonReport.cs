using static WalService.Bench.PhaseTable;

namespace WalService.Bench;

/// <summary>
/// The results of a comparison mode (Kafka or SQS): WriteToLogBatch into a namespace on that backend against a plain
/// client of the backend, round by round, with the ratio of their rates and its target if the issue set one; as plain
/// text and as markdown for docs/performance.md.
/// </summary>
internal sealed record ComparisonReport
{
    public required BenchSettings Settings { get; init; }

    /// <summary>The backend in words: <c>Kafka</c>, <c>SQS</c>.</summary>
    public required string Backend { get; init; }

    /// <summary>The plain client in words, e.g. <c>plain producer</c>.</summary>
    public required string Reference { get; init; }

    /// <summary>The emulated backend in words, e.g. <c>the mock cluster</c>; null without one (an existing cluster or endpoint).</summary>
    public string? Emulator { get; init; }

    /// <summary>Where the run went and what it wrote, in one sentence: the report's first line.</summary>
    public required string Description { get; init; }

    /// <summary>The least WriteToLogBatch msgs/s ÷ plain msgs/s the issue asks for; null when the ratio is only reported.</summary>
    public double? Target { get; init; }

    /// <summary>Every phase in the order it ran, and which were whose.</summary>
    public required RoundResults Rounds { get; init; }

    public long? ServerPeakRssBytes { get; init; }

    public long? ClientPeakRssBytes { get; init; }

    public double PlainMessagesPerSecond => Rate(Rounds.Plain);

    public double ServiceMessagesPerSecond => Rate(Rounds.Service);

    /// <summary>Service messages/s ÷ plain messages/s over all rounds (messages of all windows ÷ their total time).</summary>
    public double? ServiceToPlain => PlainMessagesPerSecond > 0 ? ServiceMessagesPerSecond / PlainMessagesPerSecond : null;

    private IEnumerable<string> RoundRatios => Rounds.Service.Zip(Rounds.Plain, (s, p) => p.MessagesPerSecond > 0 ? N(s.MessagesPerSecond / p.MessagesPerSecond, 3) : "-");

    private bool EmulatorInBench => Rounds.Phases.Count == 0 || Rounds.Phases[0].WindowOpened.EmulatorInBench;

    public void WriteText(TextWriter w)
    {
        w.WriteLine();
        w.WriteLine(Description);
        w.WriteLine();
        WriteTextHeader(w);
        foreach (var p in Rounds.Phases)
        {
            WriteTextRow(w, p);
        }

        w.WriteLine();
        w.WriteLine($"{"phase",-22} {"msgs/s",10} {"bench CPU",9} {"emulator CPU",12} {"server CPU",10} {"µs CPU/msg",10} {"w/o emulator",12}");
        foreach (var p in Rounds.Phases)
        {
            w.WriteLine($"{p.Name,-22} {N(p.MessagesPerSecond, 0),10} {Pct(p.ClientCpuPercent),9} {Pct(p.EmulatorCpuPercent),12} {Pct(p.ServerCpuPercent),10} {Us(CpuPerMessage(p, withEmulator: true)),10} {Us(CpuPerMessage(p, withEmulator: false)),12}");
        }

        w.WriteLine();
        w.WriteLine($"{Reference}: {N(PlainMessagesPerSecond, 0)} msgs/s; WriteToLogBatch into {Backend}: {N(ServiceMessagesPerSecond, 0)} msgs/s (all rounds)");
        if (ServiceToPlain is { } ratio)
        {
            var judged = Target is { } t ? $"target >= {N(t, 1)}: {Verdict(ratio >= t)}" : "reported, no target";
            w.WriteLine($"WriteToLogBatch msgs/s / {Reference} msgs/s = {N(ratio, 3)} ({judged}); by round: {string.Join(", ", RoundRatios)}");
        }

        foreach (var p in Rounds.Phases.Where(p => p.Drain is not null))
        {
            w.WriteLine($"backlog after {p.Name}: {DescribeDrain(p)}");
        }

        w.WriteLine($"server peak RSS (VmHWM): {Mib(ServerPeakRssBytes, "n/a (the bench did not start the server)")}; bench peak RSS: {Mib(ClientPeakRssBytes, "n/a")}");
        WriteProblems(w, Rounds.Phases);
    }

    public void WriteMarkdown(TextWriter w)
    {
        w.WriteLine($"<!-- {Description} -->");
        WriteMarkdownHeader(w);
        foreach (var p in Rounds.Phases)
        {
            WriteMarkdownRow(w, p);
        }

        var emulator = Emulator ?? "the emulator";
        var emulatorColumn = EmulatorInBench ? $"of which {emulator}" : $"CPU of {emulator}";
        var perMessage = EmulatorInBench ? "bench + server" : "bench + server + emulator";
        w.WriteLine();
        w.WriteLine($"| phase | messages/s | bench CPU | {emulatorColumn} | server CPU | CPU µs per message ({perMessage}) | without {emulator} |");
        w.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var p in Rounds.Phases)
        {
            w.WriteLine($"| {p.Name} | {N(p.MessagesPerSecond, 0)} | {Pct(p.ClientCpuPercent)} | {Pct(p.EmulatorCpuPercent)} | {Pct(p.ServerCpuPercent)} | {Us(CpuPerMessage(p, withEmulator: true))} | {Us(CpuPerMessage(p, withEmulator: false))} |");
        }

        w.WriteLine();
        w.WriteLine($"| ratio | {Reference} msgs/s | WriteToLogBatch msgs/s | measured | by round | target | result |");
        w.WriteLine("|---|---:|---:|---:|---|---:|---|");
        if (ServiceToPlain is { } ratio)
        {
            var (target, result) = Target is { } t ? ($"≥ {N(t, 1)}", Verdict(ratio >= t)) : ("-", "reported");
            w.WriteLine($"| WriteToLogBatch into {Backend} ÷ {Reference}, messages/s | {N(PlainMessagesPerSecond, 0)} | {N(ServiceMessagesPerSecond, 0)} | {N(ratio, 3)} | {string.Join(", ", RoundRatios)} | {target} | {result} |");
        }

        w.WriteLine();
        w.WriteLine($"Server peak RSS (VmHWM): {Mib(ServerPeakRssBytes, "n/a (the bench did not start the server)")}; bench peak RSS: {Mib(ClientPeakRssBytes, "n/a")}.");
    }

    /// <summary>
    /// CPU time the bench and the server spent per message of the window, in µs, with the emulator's (which is part of
    /// the bench's when it runs inside it) or without it. Null when the server's CPU is unknown (the bench did not start it).
    /// </summary>
    private static double? CpuPerMessage(PhaseResult p, bool withEmulator)
    {
        if (p.ServerCpuPercent is not { } server || p.MessagesPerSecond <= 0)
        {
            return null;
        }

        var insideBench = (p.EmulatorCpuPercent ?? 0) - p.SeparateEmulatorCpuPercent;
        var percent = p.ClientCpuPercent + server + (withEmulator ? p.SeparateEmulatorCpuPercent : -insideBench);
        return percent / 100 / p.MessagesPerSecond * 1e6;
    }

    private static string Us(double? value) => value is { } v ? N(v, 1) : "-";

    private static double Rate(IReadOnlyList<PhaseResult> phases)
    {
        var seconds = phases.Sum(p => p.Duration.TotalSeconds);
        return seconds > 0 ? phases.Sum(p => p.Messages) / seconds : 0;
    }
}
