using System.Security.Cryptography;
using Google.Protobuf;
using WalService.Api.V1;

namespace WalService.Bench;

/// <summary>
/// The Kafka mode: a namespace on the Kafka backend (<c>noop</c> target), and in each round a plain Confluent.Kafka
/// producer (<see cref="PlainProducer"/>) against WriteToLogBatch into that namespace, at the same concurrency, batch
/// and payload size, on the same cluster. Rounds alternate which goes first (plain, service; service, plain; …), so
/// drift over the run does not favour either; each WriteToLogBatch phase is followed by the wait for its backlog.
/// </summary>
internal static class KafkaBench
{
    public static async Task<KafkaReport> RunAsync(BenchSettings settings, BenchCluster cluster, ServerProcess? server, TextWriter output, CancellationToken cancellationToken)
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

        var probe = new Probe(server?.Process, metrics, cluster.IsMock ? "rdk:mock" : null);
        var drain = new DrainWatcher(log, probe, settings.Namespace, settings.DrainTimeout);
        var payload = RandomNumberGenerator.GetBytes(settings.PayloadBytes);
        var plainCalls = PlainProducer.Calls(producer, plainTopic, payload, settings.BatchSize, settings.PlainHeaders ? settings.Namespace : null);
        var serviceCalls = (Func<int, Func<CancellationToken, Task<CallOutcome>>>)(i =>
            BenchRunner.BatchCall(channels, i, settings.Namespace, ByteString.CopyFrom(payload), settings.BatchSize));

        var phases = new List<PhaseResult>();
        var plain = new List<PhaseResult>();
        var service = new List<PhaseResult>();
        for (var round = 1; round <= settings.KafkaRounds; round++)
        {
            foreach (var plainTurn in round % 2 == 1 ? [true, false] : (bool[])[false, true])
            {
                var phaseSettings = round == 1 ? settings with { Warmup = settings.Warmup + settings.InitialWarmup } : settings;
                PhaseResult phase;
                if (plainTurn)
                {
                    output.WriteLine($"round {round}, plain producer: {settings.Concurrency} concurrent calls of {settings.BatchSize} records to {plainTopic}");
                    phase = await LoadGenerator.RunAsync($"plain producer x{settings.BatchSize} #{round}", phaseSettings, plainCalls, probe, cancellationToken);
                    plain.Add(phase);
                }
                else
                {
                    output.WriteLine($"round {round}, WriteToLogBatch: {settings.Concurrency} concurrent calls of {settings.BatchSize} entries to namespace '{settings.Namespace}'");
                    phase = await BenchRunner.WritePhaseAsync($"WriteToLogBatch x{settings.BatchSize} #{round}", phaseSettings, serviceCalls, probe, drain, settings.TrackStatus, output, cancellationToken);
                    service.Add(phase);
                }

                phases.Add(phase);
            }
        }

        var where = cluster.IsMock
            ? $"librdkafka mock cluster of 3 brokers in the bench process at {cluster.BootstrapServers}"
            : $"Kafka cluster at {cluster.BootstrapServers}";
        return new KafkaReport
        {
            Settings = settings,
            Cluster = where,
            ServiceTopic = (serviceTopic, BenchCluster.Partitions(producer, serviceTopic)),
            PlainTopic = (plainTopic, BenchCluster.Partitions(producer, plainTopic)),
            Phases = phases,
            Plain = plain,
            Service = service,
        };
    }
}
