using System.Security.Cryptography;
using Google.Protobuf;
using WalService.Api.V1;

namespace WalService.Bench;

/// <summary>
/// Part (b) of the transaction mode: WriteToLogBatch calls whose entries are chunks (each call one new transaction of
/// <c>--batch-size</c> chunks, the last one completing it) against calls of the same entries without <c>chunk</c>, in
/// the rounds of <see cref="ComparisonRounds"/>, into a namespace with a <c>noop</c> target that stays paused: the
/// write path alone is measured, and no phase shares the machine with the deliveries of an earlier one (a noop target
/// takes a transaction's chunks one by one, each recorded before the next, far slower than they are written).
/// </summary>
internal static class ChunkThroughput
{
    /// <summary>The goal: chunk writes per second at least this fraction of ordinary writes of the same bytes.</summary>
    public const double ChunksToOrdinaryTarget = 0.8;

    public static async Task<ComparisonReport> RunAsync(BenchSettings settings, ChannelSet channels, ServerProcess? server, TextWriter output, CancellationToken cancellationToken)
    {
        var s = settings with { Namespace = $"{settings.Namespace}-txn-noop", PauseConsumers = false };
        var admin = new NamespaceAdmin.NamespaceAdminClient(channels.For(0));
        output.WriteLine(await BenchNamespace.EnsureAsync(admin, s, cancellationToken));
        await admin.PauseNamespaceAsync(new PauseNamespaceRequest { Name = s.Namespace }, cancellationToken: cancellationToken);
        var probe = new Probe(server?.Process, null);
        var payload = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(s.PayloadBytes));
        var rounds = await ComparisonRounds.RunAsync(
            s,
            (round, phaseSettings) => PhaseAsync($"ordinary x{s.BatchSize} #{round}", phaseSettings, i => GrpcCalls.Batch(channels, i, s.Namespace, payload, s.BatchSize), probe, output, cancellationToken),
            (round, phaseSettings) => PhaseAsync($"chunks x{s.BatchSize} #{round}", phaseSettings, i => Chunks(channels, i, s.Namespace, payload, s.BatchSize), probe, output, cancellationToken));
        return new ComparisonReport
        {
            Settings = s,
            Backend = "embedded as chunks of transactions",
            Reference = "ordinary WriteToLogBatch",
            Description = $"embedded namespace {s.Namespace} (noop target, paused throughout): WriteToLogBatch of {s.BatchSize} chunks, one new transaction per call, against " +
                $"WriteToLogBatch of {s.BatchSize} ordinary messages of the same {s.PayloadBytes}-byte payloads; {ComparisonRounds.Load(s)}",
            Target = ChunksToOrdinaryTarget,
            Rounds = rounds,
        };
    }

    private static Task<PhaseResult> PhaseAsync(
        string name, BenchSettings settings, Func<int, Func<CancellationToken, Task<CallOutcome>>> callFor, Probe probe, TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine($"phase {name}: {settings.Concurrency} concurrent calls");
        return LoadGenerator.RunAsync(name, settings, callFor, probe, cancellationToken);
    }

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
