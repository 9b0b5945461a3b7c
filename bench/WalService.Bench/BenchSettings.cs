namespace WalService.Bench;

/// <summary>What one run does; see <c>bench/README.md</c> for the meaning of each option.</summary>
internal sealed partial record BenchSettings
{
    /// <summary>gRPC (h2c) address of the server; replaced by the started server's address with <see cref="StartServer"/>.</summary>
    public required Uri Address { get; init; }

    /// <summary>Ops (HTTP/1.1) address whose <c>/metrics</c> shows the delivery counters; null to use GetMessageStatus only.</summary>
    public Uri? OpsAddress { get; init; }

    /// <summary>Concurrent calls in every phase.</summary>
    public required int Concurrency { get; init; }

    /// <summary>HTTP/2 connections the calls are spread over (one channel each).</summary>
    public required int Connections { get; init; }

    /// <summary>Payload size of every message, in bytes.</summary>
    public required int PayloadBytes { get; init; }

    /// <summary>Measured time of each phase, after its warmup.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>Unmeasured time at the start of each phase.</summary>
    public required TimeSpan Warmup { get; init; }

    /// <summary>
    /// Extra unmeasured time of the first phase, so the first measured window does not pay for the server's JIT
    /// compilation (a fresh .NET server keeps compiling hot paths for several seconds under load).
    /// </summary>
    public TimeSpan InitialWarmup { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Entries in one <c>WriteToLogBatch</c> call.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Namespace written to; created (embedded backend, noop target) when missing.</summary>
    public required string Namespace { get; init; }

    /// <summary>Consumer concurrency of the namespace when the bench creates it.</summary>
    public int ConsumerConcurrency { get; init; } = 4;

    /// <summary>Consumer batch size of the namespace when the bench creates it.</summary>
    public int ConsumerBatchSize { get; init; } = 100;

    /// <summary>Which phases run, in order: health, single, batch.</summary>
    public IReadOnlySet<string> Phases { get; init; } = new HashSet<string>(AllPhases, StringComparer.Ordinal);

    public static IReadOnlyList<string> AllPhases { get; } = ["health", "single", "batch"];

    /// <summary>Longest wait for the consumers to apply everything written in a write phase.</summary>
    public required TimeSpan DrainTimeout { get; init; }

    /// <summary>Path of <c>WalService.Server.dll</c> to start on free loopback ports with a fresh data folder; null to use a running server.</summary>
    public string? StartServer { get; init; }

    /// <summary>Also print the results as markdown for <c>docs/performance.md</c>.</summary>
    public bool Markdown { get; init; }

    /// <summary>Keep per-message status (<c>track_status</c>) in the namespace, when the bench creates it.</summary>
    public bool TrackStatus { get; init; } = true;

    /// <summary>Host librdkafka's mock cluster in the bench and give it to the started server as its cluster <see cref="KafkaCluster"/>.</summary>
    public bool KafkaMock { get; init; }

    /// <summary>Bootstrap servers of the Kafka cluster of the Kafka mode; with <see cref="KafkaMock"/>, the mock's.</summary>
    public string? KafkaBootstrap { get; init; }

    /// <summary>The server's name for that cluster (<c>Wal:Kafka:Clusters:&lt;name&gt;</c>).</summary>
    public string KafkaCluster { get; init; } = "default";

    /// <summary>The consumer group protocol of a server the bench starts (<c>Wal:Kafka:Clusters:&lt;name&gt;:GroupProtocol</c>): classic or consumer.</summary>
    public string KafkaGroupProtocol { get; init; } = "classic";

    /// <summary>Partitions of the namespace's topic and of the plain producer's topic, when the bench creates them.</summary>
    public int KafkaPartitions { get; init; } = 4;

    /// <summary>Rounds of a comparison mode (Kafka, SQS), each one plain-client phase and one WriteToLogBatch phase.</summary>
    public int Rounds { get; init; } = 2;

    /// <summary>
    /// Give the plain client's messages the service's metadata too: the plain producer's records headers like the
    /// service's, the plain SQS client's messages attributes like the service's (names and sizes).
    /// </summary>
    public bool PlainHeaders { get; init; }

    /// <summary>Pause the namespace while each write phase runs (its consumers stop), and resume it before the wait for the backlog.</summary>
    public bool PauseConsumers { get; init; }

    /// <summary>Host the SQS emulator (fauxqs) and give it to the started server as its <c>Wal:Sqs:ServiceUrl</c>.</summary>
    public bool SqsEmulator { get; init; }

    /// <summary>Endpoint of the SQS mode (an emulator or LocalStack); with <see cref="SqsEmulator"/>, the emulator's.</summary>
    public Uri? SqsUrl { get; init; }

    /// <summary>Region the SQS requests are signed for (<c>Wal:Sqs:Region</c> of a started server).</summary>
    public string SqsRegion { get; init; } = "us-east-1";

    /// <summary>Whether this run compares the service's Kafka namespace with a plain producer instead of running <see cref="Phases"/>.</summary>
    public bool IsKafka => KafkaMock || KafkaBootstrap is not null;

    /// <summary>Whether this run compares the service's SQS namespace with a plain SQS client instead of running <see cref="Phases"/>.</summary>
    public bool IsSqs => SqsEmulator || SqsUrl is not null;
}
