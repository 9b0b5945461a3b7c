using static WalService.Bench.PhaseTable;

namespace WalService.Bench;

/// <summary>The results of the Kafka mode and its target, as plain text and as markdown for docs/performance.md.</summary>
internal sealed record KafkaReport
{
    /// <summary>WriteToLogBatch into a Kafka namespace should move at least this fraction of the plain producer's messages per second.</summary>
    public const double ServiceToPlainTarget = 0.8;

    public required BenchSettings Settings { get; init; }

    /// <summary>Which cluster, in words.</summary>
    public required string Cluster { get; init; }

    /// <summary>The namespace's topic and its partitions as the cluster lists them.</summary>
    public required (string Name, int Partitions) ServiceTopic { get; init; }

    /// <summary>The plain producer's topic and its partitions as the cluster lists them.</summary>
    public required (string Name, int Partitions) PlainTopic { get; init; }

    /// <summary>Every phase in the order it ran.</summary>
    public required IReadOnlyList<PhaseResult> Phases { get; init; }

    /// <summary>The plain producer's phases, one per round.</summary>
    public required IReadOnlyList<PhaseResult> Plain { get; init; }

    /// <summary>The WriteToLogBatch phases, one per round.</summary>
    public required IReadOnlyList<PhaseResult> Service { get; init; }

    public long? ServerPeakRssBytes { get; init; }

    public long? ClientPeakRssBytes { get; init; }

    public double PlainMessagesPerSecond => Rate(Plain);

    public double ServiceMessagesPerSecond => Rate(Service);

    /// <summary>Service messages/s ÷ plain messages/s over all rounds (messages of all windows ÷ their total time).</summary>
    public double? ServiceToPlain => PlainMessagesPerSecond > 0 ? ServiceMessagesPerSecond / PlainMessagesPerSecond : null;

    private IEnumerable<string> RoundRatios => Service.Zip(Plain, (s, p) => p.MessagesPerSecond > 0 ? N(s.MessagesPerSecond / p.MessagesPerSecond, 3) : "-");

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

        w.WriteLine();
        w.WriteLine($"{"phase",-22} {"msgs/s",10} {"bench CPU",9} {"mock CPU",9} {"server CPU",10} {"µs CPU/msg",10} {"w/o mock",9}");
        foreach (var p in Phases)
        {
            w.WriteLine($"{p.Name,-22} {N(p.MessagesPerSecond, 0),10} {Pct(p.ClientCpuPercent),9} {Pct(p.MockCpuPercent),9} {Pct(p.ServerCpuPercent),10} {Us(CpuPerMessage(p, withMock: true)),10} {Us(CpuPerMessage(p, withMock: false)),9}");
        }

        w.WriteLine();
        w.WriteLine($"plain producer: {N(PlainMessagesPerSecond, 0)} msgs/s; WriteToLogBatch into Kafka: {N(ServiceMessagesPerSecond, 0)} msgs/s (all rounds)");
        if (ServiceToPlain is { } ratio)
        {
            w.WriteLine($"WriteToLogBatch msgs/s / plain producer msgs/s = {N(ratio, 3)} (target >= {N(ServiceToPlainTarget, 1)}: {Verdict(ratio >= ServiceToPlainTarget)}); by round: {string.Join(", ", RoundRatios)}");
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
        w.WriteLine("| phase | messages/s | bench CPU | of which the mock cluster | server CPU | CPU µs per message (bench + server) | without the mock |");
        w.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var p in Phases)
        {
            w.WriteLine($"| {p.Name} | {N(p.MessagesPerSecond, 0)} | {Pct(p.ClientCpuPercent)} | {Pct(p.MockCpuPercent)} | {Pct(p.ServerCpuPercent)} | {Us(CpuPerMessage(p, withMock: true))} | {Us(CpuPerMessage(p, withMock: false))} |");
        }

        w.WriteLine();
        w.WriteLine("| ratio | plain producer msgs/s | WriteToLogBatch msgs/s | measured | by round | target | result |");
        w.WriteLine("|---|---:|---:|---:|---|---:|---|");
        if (ServiceToPlain is { } ratio)
        {
            w.WriteLine($"| WriteToLogBatch into Kafka ÷ plain producer, messages/s | {N(PlainMessagesPerSecond, 0)} | {N(ServiceMessagesPerSecond, 0)} | {N(ratio, 3)} | {string.Join(", ", RoundRatios)} | ≥ {N(ServiceToPlainTarget, 1)} | {Verdict(ratio >= ServiceToPlainTarget)} |");
        }

        w.WriteLine();
        w.WriteLine($"Server peak RSS (VmHWM): {Mib(ServerPeakRssBytes, "n/a (the bench did not start the server)")}; bench peak RSS: {Mib(ClientPeakRssBytes, "n/a")}.");
    }

    /// <summary>
    /// CPU time the bench and the server spent per message of the window, in µs; with <paramref name="withMock"/> false,
    /// without the mock cluster's thread. Null when the server's CPU is unknown (the bench did not start it).
    /// </summary>
    private static double? CpuPerMessage(PhaseResult p, bool withMock) =>
        p.ServerCpuPercent is { } server && p.MessagesPerSecond > 0
            ? (p.ClientCpuPercent + server - (withMock ? 0 : p.MockCpuPercent ?? 0)) / 100 / p.MessagesPerSecond * 1e6
            : null;

    private static string Us(double? value) => value is { } v ? N(v, 1) : "-";

    private static double Rate(IReadOnlyList<PhaseResult> phases)
    {
        var seconds = phases.Sum(p => p.Duration.TotalSeconds);
        return seconds > 0 ? phases.Sum(p => p.Messages) / seconds : 0;
    }

    private string Describe() =>
        $"{Cluster}; topics {ServiceTopic.Name} ({ServiceTopic.Partitions} partitions) and {PlainTopic.Name} ({PlainTopic.Partitions} partitions, records of a key and the payload{(Settings.PlainHeaders ? " and headers like the service's" : string.Empty)}); " +
        $"{Settings.Concurrency} concurrent calls of {Settings.BatchSize} {Settings.PayloadBytes}-byte messages (gRPC over {Settings.Connections} HTTP/2 connections to {Settings.Address}); " +
        $"{Settings.KafkaRounds} rounds, {N(Settings.Warmup.TotalSeconds, 0)} s warmup (the first phase of each kind {N(Settings.InitialWarmup.TotalSeconds, 0)} s more) + {N(Settings.Duration.TotalSeconds, 0)} s measured per phase";
}
