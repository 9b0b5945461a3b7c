using System.Collections.Concurrent;
using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WalService.Kafka;

/// <summary>
/// The configured clusters and the clients shared on each: one producer per cluster for every namespace and the
/// <c>kafka</c> target (acks=all, idempotent, short linger, lz4), and consumer settings for the namespace consumers.
/// librdkafka's own log lines go to the logger.
/// </summary>
internal sealed class KafkaClusters : IDisposable
{
    private readonly KafkaOptions _options;
    private readonly ILogger _logger;
    private readonly KafkaMetrics _metrics;
    /// <summary>Namespace consumers prefetch this many partition buffers' worth of records a partition (librdkafka's <c>queued.min.messages</c>).</summary>
    private const int PrefetchBuffers = 4;

    /// <summary>librdkafka's <c>queued.max.messages.kbytes</c> for namespace consumers: 16 MiB of prefetched records.</summary>
    private const string PrefetchKiBytes = "16384";

    private readonly ConcurrentDictionary<string, Lazy<IProducer<byte[], byte[]>>> _producers = new(StringComparer.Ordinal);

    public KafkaClusters(IOptions<KafkaOptions> options, KafkaMetrics metrics, ILogger<KafkaClusters> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
    }

    public KafkaOptions Options => _options;

    public IEnumerable<string> Names => _options.Clusters.Keys;

    public bool Contains(string cluster) => _options.Clusters.ContainsKey(cluster);

    public IProducer<byte[], byte[]> Producer(string cluster) =>
        _producers.GetOrAdd(cluster, name => new Lazy<IProducer<byte[], byte[]>>(() => BuildProducer(name))).Value;

    public KafkaMetrics Metrics => _metrics;

    /// <summary>
    /// Hands a record to the cluster's shared producer and measures it; <paramref name="onReport"/> gets its outcome on
    /// the producer's delivery thread (keep it short), or at once when the producer refuses the record (queue full).
    /// </summary>
    public void Produce(string cluster, string topic, Message<byte[], byte[]> message, Action<PersistenceStatus, Error> onReport)
    {
        ArgumentNullException.ThrowIfNull(onReport);
        Produce(cluster, topic, message, new MeasuredReceiver(_metrics, cluster, System.Diagnostics.Stopwatch.GetTimestamp(), onReport));
    }

    /// <summary>
    /// Hands a record to the cluster's shared producer, unmeasured (the caller measures, e.g. once per batch);
    /// <paramref name="receiver"/> gets its outcome.
    /// </summary>
    public void Produce(string cluster, string topic, Message<byte[], byte[]> message, DeliveryReceiver receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        try
        {
            Producer(cluster).Produce(topic, message, receiver.OnReport);
        }
        catch (KafkaException ex)
        {
            receiver.Reported(PersistenceStatus.NotPersisted, ex.Error);
        }
    }

    /// <summary>Produces through the cluster's shared producer and measures it; throws as <see cref="IProducer{TKey,TValue}.ProduceAsync(string, Message{TKey,TValue}, CancellationToken)"/> does.</summary>
    public async Task<DeliveryResult<byte[], byte[]>> ProduceAsync(string cluster, string topic, Message<byte[], byte[]> message, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var report = await Producer(cluster).ProduceAsync(topic, message, cancellationToken);
            _metrics.Produced(cluster, started, report.Status, ErrorCode.NoError);
            return report;
        }
        catch (ProduceException<byte[], byte[]> ex)
        {
            _metrics.Produced(cluster, started, ex.DeliveryResult?.Status ?? PersistenceStatus.NotPersisted, ex.Error.Code);
            throw;
        }
    }

    public KafkaClusterOptions Cluster(string cluster) =>
        _options.Clusters.TryGetValue(cluster, out var options)
            ? options
            : throw new InvalidOperationException($"Kafka cluster '{cluster}' is not configured (Wal:Kafka:Clusters:{cluster}:BootstrapServers)");

    /// <summary>An admin client on the cluster's shared producer connection.</summary>
    public IAdminClient Admin(string cluster) => new DependentAdminClientBuilder(Producer(cluster).Handle).Build();

    /// <summary>
    /// Settings of a namespace's consumer; its client id names the group, so broker logs and quotas tell namespaces
    /// apart. With <see cref="KafkaOptions.InstanceName"/> set and <paramref name="member"/> true, it is a static member.
    /// The group protocol is the cluster's <see cref="KafkaClusterOptions.GroupProtocol"/> (or its
    /// <c>group.protocol</c> property); with <c>consumer</c> the classic-only properties are left out, whoever set them.
    /// </summary>
    public ConsumerConfig ConsumerConfig(string cluster, string groupId, bool member = false)
    {
        var defaults = new Dictionary<string, string>
        {
            ["group.id"] = groupId,
            ["group.protocol"] = Cluster(cluster).GroupProtocol,
            ["enable.auto.commit"] = "false",
            ["enable.auto.offset.store"] = "false",
            ["auto.offset.reset"] = "earliest",
            ["enable.partition.eof"] = "false",
            ["partition.assignment.strategy"] = "cooperative-sticky",
            ["client.id"] = $"walservice.{groupId}",
            // librdkafka prefetches up to 100,000 records a partition and 64 MiB by default, each record a native
            // allocation of its own: draining a backlog of small records then holds hundreds of MiB that the glibc
            // heap does not give back. A few partition buffers' worth keeps the consumer fed and its memory bounded.
            ["queued.min.messages"] = Math.Min(PrefetchBuffers * (long)_options.MaxBufferedPerPartition, 10_000_000).ToString(CultureInfo.InvariantCulture),
            ["queued.max.messages.kbytes"] = PrefetchKiBytes,
        };
        if (member && !string.IsNullOrEmpty(_options.InstanceName))
        {
            defaults["group.instance.id"] = $"{_options.InstanceName}.{groupId}";
        }

        var settings = Settings(cluster, defaults);
        if (settings["group.protocol"] == KafkaGroupProtocols.Consumer)
        {
            foreach (var property in KafkaGroupProtocols.ClassicOnlyProperties)
            {
                settings.Remove(property);
            }
        }

        return new ConsumerConfig(settings);
    }

    public void LogLine(LogMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Facility == "OFFSET" && message.Message.Contains("Offset out of range", StringComparison.Ordinal))
        {
            KafkaLogEvents.BehindRetention(_logger, message.Name, message.Message);
            return;
        }

        // Properties of a cluster go to all its clients, so each client warns of those meant for the other kind.
        var level = message.Facility == "CONFWARN" && message.Message.Contains("will be ignored by this", StringComparison.Ordinal)
            ? LogLevel.Debug
            : LevelOf(message.Level);
        if (_logger.IsEnabled(level))
        {
            KafkaLogEvents.Client(_logger, level, message.Name, message.Facility, message.Message);
        }
    }

    public void Dispose()
    {
        foreach (var producer in _producers.Values.Where(p => p.IsValueCreated))
        {
            producer.Value.Flush(TimeSpan.FromSeconds(10));
            producer.Value.Dispose();
        }
    }

    private IProducer<byte[], byte[]> BuildProducer(string cluster)
    {
        var config = new ProducerConfig(Settings(cluster, new Dictionary<string, string>
        {
            ["acks"] = "all",
            ["enable.idempotence"] = "true",
            ["linger.ms"] = "5",
            ["compression.type"] = "lz4",
            ["message.timeout.ms"] = "15000",
            ["client.id"] = "walservice",
            // The service reads only the outcome of a delivery, so reports need not copy the record back.
            ["dotnet.producer.delivery.report.fields"] = "status",
        }));
        return new ProducerBuilder<byte[], byte[]>(config).SetLogHandler((_, m) => LogLine(m)).Build();
    }

    /// <summary>The service's settings, then the cluster's bootstrap servers and properties on top.</summary>
    private Dictionary<string, string> Settings(string cluster, Dictionary<string, string> defaults)
    {
        var options = Cluster(cluster);
        defaults["bootstrap.servers"] = options.BootstrapServers;
        foreach (var (key, value) in options.Properties)
        {
            defaults[key] = value;
        }

        return defaults;
    }

    private sealed class MeasuredReceiver(KafkaMetrics metrics, string cluster, long startedAt, Action<PersistenceStatus, Error> onReport) : DeliveryReceiver
    {
        public override void Reported(PersistenceStatus status, Error error)
        {
            metrics.Produced(cluster, startedAt, status, error.Code);
            onReport(status, error);
        }
    }

    private static LogLevel LevelOf(SyslogLevel level) => level switch
    {
        SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical or SyslogLevel.Error => LogLevel.Error,
        SyslogLevel.Warning => LogLevel.Warning,
        SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
        _ => LogLevel.Debug,
    };
}
