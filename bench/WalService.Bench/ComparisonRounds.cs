using Google.Protobuf;
using WalService.Api.V1;
using static WalService.Bench.PhaseTable;

namespace WalService.Bench;

/// <summary>The phases of a comparison mode in the order they ran, and the plain client's and the service's, one each per round.</summary>
internal sealed record RoundResults(IReadOnlyList<PhaseResult> Phases, IReadOnlyList<PhaseResult> Plain, IReadOnlyList<PhaseResult> Service);

/// <summary>
/// The rounds of a comparison mode: each runs one phase of the plain client and one WriteToLogBatch phase, in
/// alternating order (plain first in odd rounds), so drift over the run favours neither; the first round warms up
/// <see cref="BenchSettings.InitialWarmup"/> longer, for the server's JIT and the plain client's.
/// </summary>
internal static class ComparisonRounds
{
    /// <param name="settings">Rounds, warmup and the rest.</param>
    /// <param name="plainPhase">Runs round r's plain phase with the settings given.</param>
    /// <param name="servicePhase">Runs round r's WriteToLogBatch phase (and waits for its backlog) with the settings given.</param>
    public static async Task<RoundResults> RunAsync(
        BenchSettings settings,
        Func<int, BenchSettings, Task<PhaseResult>> plainPhase,
        Func<int, BenchSettings, Task<PhaseResult>> servicePhase)
    {
        var phases = new List<PhaseResult>();
        var plain = new List<PhaseResult>();
        var service = new List<PhaseResult>();
        for (var round = 1; round <= settings.Rounds; round++)
        {
            var phaseSettings = round == 1 ? settings with { Warmup = settings.Warmup + settings.InitialWarmup } : settings;
            foreach (var plainTurn in round % 2 == 1 ? [true, false] : (bool[])[false, true])
            {
                var phase = plainTurn ? await plainPhase(round, phaseSettings) : await servicePhase(round, phaseSettings);
                (plainTurn ? plain : service).Add(phase);
                phases.Add(phase);
            }
        }

        return new RoundResults(phases, plain, service);
    }

    /// <summary>
    /// Round r's WriteToLogBatch phase: <see cref="BenchSettings.Concurrency"/> calls of <see cref="BenchSettings.BatchSize"/>
    /// entries of <paramref name="payload"/> into the namespace, then the wait for its backlog.
    /// </summary>
    public static Func<int, BenchSettings, Task<PhaseResult>> ServicePhase(
        ChannelSet channels, byte[] payload, Probe probe, DrainWatcher drain, NamespaceAdmin.NamespaceAdminClient admin, TextWriter output, CancellationToken cancellationToken)
    {
        var bytes = ByteString.CopyFrom(payload);
        return (round, settings) =>
        {
            output.WriteLine($"round {round}, WriteToLogBatch: {settings.Concurrency} concurrent calls of {settings.BatchSize} entries to namespace '{settings.Namespace}'");
            return BenchRunner.WritePhaseAsync(
                $"WriteToLogBatch x{settings.BatchSize} #{round}",
                settings,
                i => GrpcCalls.Batch(channels, i, settings.Namespace, bytes, settings.BatchSize),
                probe,
                drain,
                admin,
                output,
                cancellationToken);
        };
    }

    /// <summary>The load of a comparison mode's run, in words, for its report's first line.</summary>
    public static string Load(BenchSettings settings) =>
        $"{settings.Concurrency} concurrent calls of {settings.BatchSize} {settings.PayloadBytes}-byte messages (gRPC over {settings.Connections} HTTP/2 connections to {settings.Address}); " +
        $"{settings.Rounds} rounds, {N(settings.Warmup.TotalSeconds, 0)} s warmup (the first round {N(settings.InitialWarmup.TotalSeconds, 0)} s more) + {N(settings.Duration.TotalSeconds, 0)} s measured per phase" +
        (settings.PauseConsumers ? "; consumers paused while WriteToLogBatch runs" : string.Empty);
}
