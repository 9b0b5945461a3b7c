using System.Security.Cryptography;
using WalService.Api.V1;

namespace WalService.Bench;

/// <summary>
/// The Kafka mode: a namespace on the Kafka backend (<c>noop</c> target), and in each round a plain Confluent.Kafka
/// producer (<see cref="PlainProducer"/>) against WriteToLogBatch into that namespace, at the same concurrency, batch
/// and payload size, on the same cluster (<see cref="ComparisonRounds"/>).
/// </summary>
internal static class KafkaBench
{
    /// <summary>WriteToLogBatch into a Kafka namespace should move at least this fraction of the plain producer's messages per second.</summary>
    public const double ServiceToPlainTarget = 0.8;

    public static async Task<ComparisonReport> RunAsync(BenchSettings settings, BenchCluster cluster, ServerProcess? server, TextWriter output, CancellationToken cancellationToken)
    {
        using var channels = new ChannelSet(settings.Address, settings.Connections);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var admin = new NamespaceAdmin.NamespaceAdminClient(channels.For(0));
        var log = new WriteAheadLog.WriteAheadLogClient(channels.For(0));
        var metrics = await BenchRunner.ConnectMetricsAsync(settings, http, output, cancellationToken);

        var plainTopic = $"bench.plain.{settings.Namespace}";
        using var producer = PlainProducer.Build(cluster.BootstrapServers, output);
        await cluster.CreateTopicsAsync(settings.Namespace, plainTopic, settings.KafkaPartitions, producer);
        output.WriteLine(await BenchNamespace.EnsureAsync(admin, settings, cancellationToken));
        var kafka = (await admin.GetNamespaceAsync(new GetNamespaceRequest { Name = settings.Namespace }, cancellationToken: cancellationToken)).Config.Kafka;
        var serviceTopic = string.IsNullOrEmpty(kafka.Topic) ? $"wal.{settings.Namespace}" : kafka.Topic;

        var probe = new Probe(server?.Process, metrics, cluster.IsMock ? EmulatorCpu.Threads("rdk:mock") : null);
        var drain = new DrainWatcher(log, probe, settings.Namespace, settings.DrainTimeout);
        var payload = RandomNumberGenerator.GetBytes(settings.PayloadBytes);
        var plainCalls = PlainProducer.Calls(producer, plainTopic, payload, settings.BatchSize, settings.PlainHeaders ? settings.Namespace : null);
        var rounds = await ComparisonRounds.RunAsync(
            settings,
            (round, phaseSettings) =>
            {
                output.WriteLine($"round {round}, plain producer: {settings.Concurrency} concurrent calls of {settings.BatchSize} records to {plainTopic}");
                return LoadGenerator.RunAsync($"plain producer x{settings.BatchSize} #{round}", phaseSettings, plainCalls, probe, cancellationToken);
            },
            ComparisonRounds.ServicePhase(channels, payload, probe, drain, admin, output, cancellationToken));

        var where = cluster.IsMock
            ? $"librdkafka mock cluster of 3 brokers in the bench process at {cluster.BootstrapServers}"
            : $"Kafka cluster at {cluster.BootstrapServers}";
        return new ComparisonReport
        {
            Settings = settings,
            Backend = "Kafka",
            Reference = "plain producer",
            Emulator = cluster.IsMock ? "the mock cluster" : null,
            Description = $"{where}; topics {serviceTopic} ({BenchCluster.Partitions(producer, serviceTopic)} partitions) and {plainTopic} ({BenchCluster.Partitions(producer, plainTopic)} partitions, " +
                $"records of a key and the payload{(settings.PlainHeaders ? " and headers like the service's" : string.Empty)}); {ComparisonRounds.Load(settings)}",
            Target = ServiceToPlainTarget,
            Rounds = rounds,
        };
    }
}
