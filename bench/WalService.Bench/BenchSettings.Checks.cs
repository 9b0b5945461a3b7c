namespace WalService.Bench;

/// <summary>The checks of a run's settings, before anything starts.</summary>
internal sealed partial record BenchSettings
{
    /// <summary>The problems that make these settings unusable; empty when they are fine.</summary>
    public IEnumerable<string> Problems()
    {
        if (Concurrency < 1)
        {
            yield return "--concurrency must be at least 1";
        }

        if (Connections < 1)
        {
            yield return "--connections must be at least 1";
        }

        if (PayloadBytes < 0)
        {
            yield return "--payload-bytes must not be negative";
        }

        if (Duration <= TimeSpan.Zero)
        {
            yield return "--duration must be positive";
        }

        if (Warmup < TimeSpan.Zero)
        {
            yield return "--warmup must not be negative";
        }

        if (InitialWarmup < TimeSpan.Zero)
        {
            yield return "--initial-warmup must not be negative";
        }

        if (BatchSize < 1)
        {
            yield return "--batch-size must be at least 1";
        }

        if (string.IsNullOrWhiteSpace(Namespace))
        {
            yield return "--namespace must not be empty";
        }

        if (ConsumerConcurrency is < 1 or > 256)
        {
            yield return "--consumer-concurrency must be between 1 and 256";
        }

        if (ConsumerBatchSize is < 1 or > 1000)
        {
            yield return "--consumer-batch-size must be between 1 and 1000";
        }

        foreach (var phase in Phases.Where(p => !AllPhases.Contains(p)))
        {
            yield return $"--phases: unknown phase '{phase}' (use {string.Join(", ", AllPhases)})";
        }

        if (Phases.Count == 0)
        {
            yield return "--phases must name at least one phase";
        }

        foreach (var problem in KafkaProblems().Concat(SqsProblems()).Concat(TimingProblems()).Concat(TransactionProblems()).Concat(ReplicationProblems()))
        {
            yield return problem;
        }

        if (Rounds is < 1 or > 10)
        {
            yield return "--rounds must be between 1 and 10";
        }

        if (IsKafka && IsSqs)
        {
            yield return "the Kafka mode and the SQS mode exclude each other";
        }

        if (StartServer is not null && !File.Exists(StartServer))
        {
            yield return $"--start-server: no file at '{StartServer}' (build it with 'dotnet build -c Release WalService.slnx')";
        }
    }

    private IEnumerable<string> KafkaProblems()
    {
        if (KafkaMock && KafkaBootstrap is not null)
        {
            yield return "--kafka-mock and --kafka-bootstrap exclude each other";
        }

        if (KafkaMock && StartServer is null)
        {
            yield return "--kafka-mock needs --start-server: the mock cluster lives in the bench, so only a server it starts can be given its address";
        }

        if (KafkaBootstrap is { } servers && string.IsNullOrWhiteSpace(servers))
        {
            yield return "--kafka-bootstrap must name at least one host:port";
        }

        if (string.IsNullOrWhiteSpace(KafkaCluster))
        {
            yield return "--kafka-cluster must not be empty";
        }

        if (KafkaPartitions is < 1 or > 1000)
        {
            yield return "--kafka-partitions must be between 1 and 1000";
        }

    }

    private IEnumerable<string> SqsProblems()
    {
        if (SqsEmulator && SqsUrl is not null)
        {
            yield return "--sqs-emulator and --sqs-url exclude each other";
        }

        if (SqsEmulator && StartServer is null)
        {
            yield return "--sqs-emulator needs --start-server: the emulator is started by the bench on a free port, so only a server it starts can be given its address";
        }

        if (SqsUrl is { } url && url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            yield return "--sqs-url must be an http or https URL, e.g. http://127.0.0.1:4566";
        }

        if (string.IsNullOrWhiteSpace(SqsRegion))
        {
            yield return "--sqs-region must not be empty";
        }
    }
}
