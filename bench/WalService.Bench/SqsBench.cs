using System.Security.Cryptography;
using WalService.Api.V1;

namespace WalService.Bench;

/// <summary>
/// The SQS mode: a namespace on the SQS backend (<c>noop</c> target), and in each round a plain AWSSDK.SQS client
/// (<see cref="PlainSqsClient"/>) against WriteToLogBatch into that namespace, at the same concurrency, batch and
/// payload size, on the same endpoint (<see cref="ComparisonRounds"/>). Each plain phase sends to a fresh queue of its
/// own, deleted after it, so no phase pays for a queue that earlier phases filled; the namespace's queue is emptied by
/// its consumers before the next phase.
/// </summary>
internal static class SqsBench
{
    public static async Task<ComparisonReport> RunAsync(BenchSettings settings, SqsEndpoint sqs, ServerProcess? server, TextWriter output, CancellationToken cancellationToken)
    {
        using var channels = new ChannelSet(settings.Address, settings.Connections);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var client = sqs.CreateClient();
        var admin = new NamespaceAdmin.NamespaceAdminClient(channels.For(0));
        var log = new WriteAheadLog.WriteAheadLogClient(channels.For(0));
        var metrics = await BenchRunner.ConnectMetricsAsync(settings, http, output, cancellationToken);

        output.WriteLine(await BenchNamespace.EnsureAsync(admin, settings, cancellationToken));
        var config = (await admin.GetNamespaceAsync(new GetNamespaceRequest { Name = settings.Namespace }, cancellationToken: cancellationToken)).Config.Sqs;
        var serviceQueue = string.IsNullOrEmpty(config.QueueName) ? "wal-" + settings.Namespace.Replace('.', '-') : config.QueueName;
        var plainQueue = "bench-plain-" + settings.Namespace.Replace('.', '-');

        var probe = new Probe(server?.Process, metrics, sqs.Cpu);
        var drain = new DrainWatcher(log, probe, settings.Namespace, settings.DrainTimeout);
        var payload = RandomNumberGenerator.GetBytes(settings.PayloadBytes);
        var rounds = await ComparisonRounds.RunAsync(
            settings,
            async (round, phaseSettings) =>
            {
                var queue = $"{plainQueue}-{round}";
                var url = (await client.CreateQueueAsync(queue, cancellationToken)).QueueUrl;
                output.WriteLine($"round {round}, plain SQS client: {settings.Concurrency} concurrent calls of {settings.BatchSize} messages (SendMessageBatch of {PlainSqsClient.MaxBatch}) to {queue}");
                try
                {
                    var calls = PlainSqsClient.Calls(client, url, payload, settings.BatchSize, settings.PlainHeaders ? settings.Namespace : null);
                    return await LoadGenerator.RunAsync($"plain client x{settings.BatchSize} #{round}", phaseSettings, calls, probe, cancellationToken);
                }
                finally
                {
                    await client.DeleteQueueAsync(url, CancellationToken.None);
                }
            },
            ComparisonRounds.ServicePhase(channels, payload, probe, drain, admin, output, cancellationToken));

        var where = sqs.IsEmulator
            ? $"SQS emulator fauxqs in a Node process of its own at {sqs.ServiceUrl}"
            : $"SQS endpoint {sqs.ServiceUrl}";
        return new ComparisonReport
        {
            Settings = settings,
            Backend = "SQS",
            Reference = "plain SQS client",
            Emulator = sqs.IsEmulator ? "the emulator" : null,
            Description = $"{where}, region {sqs.Region}; queues {serviceQueue} and {plainQueue}-<round> (fresh per plain phase; bodies of the base64 payload" +
                $"{(settings.PlainHeaders ? ", attributes like the service's" : ", no attributes")}; SendMessageBatch of {PlainSqsClient.MaxBatch}); {ComparisonRounds.Load(settings)}",
            Rounds = rounds,
        };
    }
}
