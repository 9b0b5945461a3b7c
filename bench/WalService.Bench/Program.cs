using System.CommandLine;
using WalService.Bench;

var address = new Option<string>("--address") { Description = "gRPC address of a running server", DefaultValueFactory = _ => "http://127.0.0.1:7070" };
var opsAddress = new Option<string>("--ops-address") { Description = "ops address whose /metrics shows delivery counters (empty: judge the drain by GetMessageStatus only)", DefaultValueFactory = _ => "http://127.0.0.1:7071" };
var concurrency = new Option<int>("--concurrency") { Description = "concurrent calls in every phase", DefaultValueFactory = _ => 64 };
var connections = new Option<int>("--connections") { Description = "HTTP/2 connections the calls are spread over", DefaultValueFactory = _ => 4 };
var payloadBytes = new Option<int>("--payload-bytes") { Description = "payload size of every message", DefaultValueFactory = _ => 100 };
var duration = new Option<double>("--duration") { Description = "measured seconds per phase; in the lateness mode and the replication mode's lateness phase, seconds of writing [20]", DefaultValueFactory = _ => 10 };
var warmup = new Option<double>("--warmup") { Description = "unmeasured seconds at the start of each phase", DefaultValueFactory = _ => 2 };
var initialWarmup = new Option<double>("--initial-warmup") { Description = "extra unmeasured seconds of the first phase, for the server's JIT warm-up", DefaultValueFactory = _ => 5 };
var batchSize = new Option<int>("--batch-size") { Description = "entries per WriteToLogBatch call", DefaultValueFactory = _ => 100 };
var ns = new Option<string>("--namespace") { Description = "namespace to write to; created (embedded backend, or Kafka or SQS in those modes; noop target) when missing", DefaultValueFactory = _ => "bench" };
var drainTimeout = new Option<double>("--drain-timeout") { Description = "longest wait, in seconds, for the consumers to apply a write phase's messages", DefaultValueFactory = _ => 60 };
var consumerConcurrency = new Option<int>("--consumer-concurrency") { Description = "consumer concurrency of the namespace, when the bench creates it", DefaultValueFactory = _ => 4 };
var consumerBatch = new Option<int>("--consumer-batch-size") { Description = "consumer batch size of the namespace, when the bench creates it", DefaultValueFactory = _ => 100 };
var phases = new Option<string>("--phases") { Description = "comma-separated phases to run, in this order: health, single, batch", DefaultValueFactory = _ => "health,single,batch" };
var startServer = new Option<string?>("--start-server") { Description = "path of WalService.Server.dll: start it on free loopback ports with a fresh temp data folder, and stop it at the end" };
var markdown = new Option<bool>("--markdown") { Description = "also print the results as markdown for docs/performance.md" };
var trackStatus = new Option<bool>("--track-status") { Description = "track_status of the namespace, when the bench creates it", DefaultValueFactory = _ => true };
var kafkaMock = new Option<bool>("--kafka-mock") { Description = "Kafka mode on librdkafka's mock cluster, hosted by the bench (needs --start-server)" };
var kafkaBootstrap = new Option<string?>("--kafka-bootstrap") { Description = "Kafka mode on the existing cluster at these bootstrap servers" };
var kafkaCluster = new Option<string>("--kafka-cluster") { Description = "the server's name for that cluster (Wal:Kafka:Clusters:<name>)", DefaultValueFactory = _ => "default" };
var kafkaGroupProtocol = new Option<string>("--kafka-group-protocol") { Description = "the consumer group protocol of a server the bench starts on Kafka: classic or consumer (KIP-848)", DefaultValueFactory = _ => "classic" };
kafkaGroupProtocol.AcceptOnlyFromAmong("classic", "consumer");
var kafkaPartitions = new Option<int>("--kafka-partitions") { Description = "partitions of the namespace's topic and of the plain producer's topic, when the bench creates them", DefaultValueFactory = _ => 4 };
var plainHeaders = new Option<bool>("--plain-headers") { Description = "Kafka and SQS modes: the plain client's messages also carry the service's wal-* headers or attributes (same names and sizes)" };
var rounds = new Option<int>("--rounds", "--kafka-rounds") { Description = "rounds of the Kafka, SQS or transaction mode, each a phase of the one side and of the other", DefaultValueFactory = _ => 2 };
var pauseConsumers = new Option<bool>("--pause-consumers") { Description = "pause the namespace while each write phase runs, and resume it before waiting for the backlog" };
var sqsEmulator = new Option<bool>("--sqs-emulator") { Description = "SQS mode on the fauxqs emulator of tests/sqs-emulator, started by the bench (needs --start-server and Node 20+)" };
var sqsUrl = new Option<string?>("--sqs-url") { Description = "SQS mode on the existing endpoint at this URL, e.g. LocalStack's http://127.0.0.1:4566" };
var sqsRegion = new Option<string>("--sqs-region") { Description = "region the SQS requests are signed for", DefaultValueFactory = _ => "us-east-1" };
var mode = new Option<string>("--mode") { Description = "throughput (the phases, or the Kafka or SQS comparison), a delivery-timing mode (lateness, ordered, first-delivery, retry), or transaction (a kv transaction to PostgreSQL, and chunk writes against ordinary ones), or replication (three regions against one, and lateness to the last region's Redis)", DefaultValueFactory = _ => BenchSettings.ThroughputMode };
var rate = new Option<double?>("--rate") { Description = "lateness, replication and retry modes: messages written a second [lateness and replication 1000, retry 50]" };
var messages = new Option<int?>("--messages") { Description = "ordered and retry modes: messages written [ordered 1000, retry 200]; replication mode: messages of the lateness phase [--rate x --duration]" };
var writeBatch = new Option<int>("--write-batch") { Description = "ordered mode: entries per write, in order, one write after another (1 = WriteToLog, more = WriteToLogBatch)", DefaultValueFactory = _ => 100 };
var delayMin = new Option<double>("--delay-min") { Description = "lateness mode: shortest delay, in seconds", DefaultValueFactory = _ => 0.5 };
var delayMax = new Option<double>("--delay-max") { Description = "lateness mode: longest delay, in seconds", DefaultValueFactory = _ => 3 };
var deadline = new Option<double>("--deadline") { Description = "timing modes: longest wait for deliveries, in seconds (ordered: from the first write; lateness, retry: after the last due time; first-delivery: per message)", DefaultValueFactory = _ => 60 };
var trials = new Option<int>("--trials") { Description = "first-delivery mode: new namespaces, one measurement each", DefaultValueFactory = _ => 3 };
var mutations = new Option<int>("--mutations") { Description = "transaction mode: mutations of the timed transaction, over 3 PostgreSQL tables", DefaultValueFactory = _ => 10_000 };
var chunks = new Option<int>("--chunks") { Description = "transaction mode: chunks of the timed transaction, and ordinary kv messages it is compared with", DefaultValueFactory = _ => 50 };
var backoff = new Option<double>("--backoff") { Description = "retry mode: the namespace's retry backoff, in milliseconds", DefaultValueFactory = _ => 200 };

var root = new RootCommand("Load generator for WalService: Health/Check baseline, WriteToLog and WriteToLogBatch, with latency percentiles and the backlog drain; or WriteToLogBatch into a Kafka or SQS namespace against a plain Kafka producer or SQS client; or, with --mode, delivery timing (lateness of delays, one ordering key, time to first delivery, retry backoff) on any backend.")
{
    address, opsAddress, concurrency, connections, payloadBytes, duration, warmup, initialWarmup, batchSize, ns, consumerConcurrency, consumerBatch, drainTimeout, phases, startServer, markdown,
    trackStatus, pauseConsumers, rounds, plainHeaders, kafkaMock, kafkaBootstrap, kafkaCluster, kafkaGroupProtocol, kafkaPartitions, sqsEmulator, sqsUrl, sqsRegion,
    mode, rate, messages, writeBatch, delayMin, delayMax, deadline, trials, backoff, mutations, chunks,
};

root.SetAction(async (result, cancellationToken) =>
{
    if (!Uri.TryCreate(result.GetValue(address), UriKind.Absolute, out var grpcUri))
    {
        Console.Error.WriteLine("--address must be an absolute URI, e.g. http://127.0.0.1:7070");
        return 2;
    }

    var ops = result.GetValue(opsAddress);
    Uri? opsUri = null;
    if (!string.IsNullOrEmpty(ops) && !Uri.TryCreate(ops, UriKind.Absolute, out opsUri))
    {
        Console.Error.WriteLine("--ops-address must be an absolute URI, e.g. http://127.0.0.1:7071");
        return 2;
    }

    Uri? sqsUri = null;
    if (result.GetValue(sqsUrl) is { } sqs && !Uri.TryCreate(sqs, UriKind.Absolute, out sqsUri))
    {
        Console.Error.WriteLine("--sqs-url must be an absolute URI, e.g. http://127.0.0.1:4566");
        return 2;
    }

    var settings = new BenchSettings
    {
        Address = grpcUri,
        OpsAddress = opsUri,
        Concurrency = result.GetValue(concurrency),
        Connections = result.GetValue(connections),
        PayloadBytes = result.GetValue(payloadBytes),
        Duration = TimeSpan.FromSeconds(result.GetValue(duration)),
        Warmup = TimeSpan.FromSeconds(result.GetValue(warmup)),
        InitialWarmup = TimeSpan.FromSeconds(result.GetValue(initialWarmup)),
        BatchSize = result.GetValue(batchSize),
        Namespace = result.GetValue(ns) ?? "bench",
        ConsumerConcurrency = result.GetValue(consumerConcurrency),
        ConsumerBatchSize = result.GetValue(consumerBatch),
        Phases = (result.GetValue(phases) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal),
        DrainTimeout = TimeSpan.FromSeconds(result.GetValue(drainTimeout)),
        StartServer = result.GetValue(startServer),
        Markdown = result.GetValue(markdown),
        TrackStatus = result.GetValue(trackStatus),
        KafkaMock = result.GetValue(kafkaMock),
        KafkaBootstrap = result.GetValue(kafkaBootstrap),
        KafkaCluster = result.GetValue(kafkaCluster) ?? "default",
        KafkaGroupProtocol = result.GetValue(kafkaGroupProtocol) ?? "classic",
        KafkaPartitions = result.GetValue(kafkaPartitions),
        Rounds = result.GetValue(rounds),
        PlainHeaders = result.GetValue(plainHeaders),
        PauseConsumers = result.GetValue(pauseConsumers),
        SqsEmulator = result.GetValue(sqsEmulator),
        SqsUrl = sqsUri,
        SqsRegion = result.GetValue(sqsRegion) ?? "us-east-1",
        Mode = result.GetValue(mode) ?? BenchSettings.ThroughputMode,
        Rate = result.GetValue(rate),
        Messages = result.GetValue(messages),
        WriteBatch = result.GetValue(writeBatch),
        TimingDuration = result.GetResult(duration) is { Implicit: false } ? TimeSpan.FromSeconds(result.GetValue(duration)) : null,
        DelayMin = TimeSpan.FromSeconds(result.GetValue(delayMin)),
        DelayMax = TimeSpan.FromSeconds(result.GetValue(delayMax)),
        Deadline = TimeSpan.FromSeconds(result.GetValue(deadline)),
        Trials = result.GetValue(trials),
        Backoff = TimeSpan.FromMilliseconds(result.GetValue(backoff)),
        Mutations = result.GetValue(mutations),
        Chunks = result.GetValue(chunks),
    };

    var problems = settings.Problems().ToList();
    foreach (var problem in problems)
    {
        Console.Error.WriteLine(problem);
    }

    return problems.Count > 0 ? 2 : await BenchRunner.RunAsync(settings, Console.Out, cancellationToken);
});

return await root.Parse(args).InvokeAsync();
