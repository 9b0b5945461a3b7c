using System.Security.Cryptography;
using Google.Protobuf;
using WalService.Api.V1;

namespace WalService.Bench;

/// <summary>
/// Part (b) of the transaction mode: WriteToLogBatch calls whose entries are chunks (each call one new transaction of
/// <c>--batch-size</c> chunks, the last one completing it) against calls of the same entries without <c>chunk</c>, in
/// the rounds of <see cref="ComparisonRounds"/>, into a namespace with a <c>noop</c> target. After each phase the bench
/// waits until the consumers have applied what it wrote (by <c>/metrics</c>: one delivery per ordinary message, one per
/// transaction), so the next phase has the machine.
/// </summary>
internal static class ChunkThroughput
{
    /// <summary>The goal: chunk writes per second at least this fraction of ordinary writes of the same bytes.</summary>
    public const double ChunksToOrdinaryTarget = 0.8;

    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(100);

    public static async Task<ComparisonReport> RunAsync(BenchSettings settings, ChannelSet channels, ServerProcess? server, TextWriter output, CancellationToken cancellationToken)
    {
        var s = settings with { Namespace = $"{settings.Namespace}-txn-noop" };
        var admin = new NamespaceAdmin.NamespaceAdminClient(channels.For(0));
        output.WriteLine(await BenchNamespace.EnsureAsync(admin, s, cancellationToken));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var metrics = await BenchRunner.ConnectMetricsAsync(s, http, output, cancellationToken)
            ?? throw new InvalidOperationException("the transaction mode needs the server's /metrics to tell when a phase's writes are applied");
        var probe = new Probe(server?.Process, metrics);
        var payload = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(s.PayloadBytes));
        var rounds = await ComparisonRounds.RunAsync(
            s,
            (round, phaseSettings) => PhaseAsync($"ordinary x{s.BatchSize} #{round}", phaseSettings, i => GrpcCalls.Batch(channels, i, s.Namespace, payload, s.BatchSize), 1, probe, admin, output, cancellationToken),
            (round, phaseSettings) => PhaseAsync($"chunks x{s.BatchSize} #{round}", phaseSettings, i => Chunks(channels, i, s.Namespace, payload, s.BatchSize), s.BatchSize, probe, admin, output, cancellationToken));
        return new ComparisonReport
        {
            Settings = s,
            Backend = "embedded as chunks of transactions",
            Reference = "ordinary WriteToLogBatch",
            Description = $"embedded namespace {s.Namespace} (noop target): WriteToLogBatch of {s.BatchSize} chunks, one new transaction per call, against WriteToLogBatch of " +
                $"{s.BatchSize} ordinary messages of the same {s.PayloadBytes}-byte payloads; {ComparisonRounds.Load(s)}",
            Target = ChunksToOrdinaryTarget,
            Rounds = rounds,
        };
    }

    /// <summary>One phase, then the wait until one delivery per <paramref name="entriesPerDelivery"/> durable entries is applied.</summary>
    private static async Task<PhaseResult> PhaseAsync(
        string name,
        BenchSettings settings,
        Func<int, Func<CancellationToken, Task<CallOutcome>>> callFor,
        int entriesPerDelivery,
        Probe probe,
        NamespaceAdmin.NamespaceAdminClient admin,
        TextWriter output,
        CancellationToken cancellationToken)
    {
        output.WriteLine($"phase {name}: {settings.Concurrency} concurrent calls");
        if (settings.PauseConsumers)
        {
            await admin.PauseNamespaceAsync(new PauseNamespaceRequest { Name = settings.Namespace }, cancellationToken: cancellationToken);
        }

        var before = await probe.TakeAsync(cancellationToken);
        var phase = await LoadGenerator.RunAsync(name, settings, callFor, probe, cancellationToken);
        if (settings.PauseConsumers)
        {
            await admin.ResumeNamespaceAsync(new ResumeNamespaceRequest { Name = settings.Namespace }, cancellationToken: cancellationToken);
        }

        var expected = phase.TotalDurable / entriesPerDelivery;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        long applied;
        while ((applied = await AppliedSinceAsync(probe, before, cancellationToken)) < expected && waited.Elapsed < settings.DrainTimeout)
        {
            await Task.Delay(PollEvery, cancellationToken);
        }

        output.WriteLine($"  {phase.TotalDurable} entries durable; {applied} of {expected} deliveries applied after {waited.Elapsed.TotalSeconds:0.0} s");
        return phase;
    }

    private static async Task<long> AppliedSinceAsync(Probe probe, ProbeSnapshot before, CancellationToken cancellationToken) =>
        (await probe.TakeAsync(cancellationToken)).Counts is { } now && before.Counts is { } then ? now.Applied - then.Applied : 0;

    /// <summary>The call of loop <paramref name="loop"/>: <paramref name="size"/> chunks making up one new transaction, of an id no other call of the run has.</summary>
    private static Func<CancellationToken, Task<CallOutcome>> Chunks(ChannelSet channels, int loop, string ns, ByteString payload, int size)
    {
        var client = new WriteAheadLog.WriteAheadLogClient(channels.For(loop));
        var prefix = $"bench-{Guid.NewGuid():N}";
        var calls = 0;
        return async ct =>
        {
            var transaction = $"{prefix}-{++calls}";
            var request = new WriteToLogBatchRequest();
            for (var i = 0; i < size; i++)
            {
                request.Entries.Add(new WriteToLogRequest { Namespace = ns, Payload = payload, Chunk = new Chunk { TransactionId = transaction, Sequence = i, Last = i == size - 1 } });
            }

            return CallOutcome.Of(await client.WriteToLogBatchAsync(request, cancellationToken: ct));
        };
    }
}
