using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace WalService.LocalBackends;

/// <summary>
/// librdkafka's built-in mock cluster: three brokers speaking the real Kafka protocol on loopback, hosted by a client
/// in this process for as long as it lives. Other clients, in-process servers and server processes reach it at
/// <see cref="BootstrapServers"/>. Topics and faults go through librdkafka's mock API, since the mock does not serve
/// the admin API's CreateTopics.
/// </summary>
public sealed partial class MockKafkaCluster : IDisposable
{
    public const int Brokers = 3;
    private readonly IProducer<byte[], byte[]> _host;
    private readonly IntPtr _cluster;

    public MockKafkaCluster()
    {
        var config = new ProducerConfig();
        config.Set("test.mock.num.brokers", Brokers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _host = new ProducerBuilder<byte[], byte[]>(config).SetLogHandler((_, _) => { }).Build();
        using (var admin = new DependentAdminClientBuilder(_host.Handle).Build())
        {
            var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
            BootstrapServers = string.Join(",", metadata.Brokers.Select(b => $"{b.Host}:{b.Port}"));
        }

        Native.Bind();
        _cluster = Native.rd_kafka_handle_mock_cluster(NativeHandle(_host.Handle));
        if (_cluster == IntPtr.Zero)
        {
            throw new InvalidOperationException("librdkafka did not return its mock cluster");
        }

        // The consumer group protocol's session is the brokers' to set: as short as the classic one of ServerSettings.
        Native.rd_kafka_mock_set_group_consumer_session_timeout_ms(_cluster, (int)SessionTimeout.TotalMilliseconds);
        Native.rd_kafka_mock_set_group_consumer_heartbeat_interval_ms(_cluster, (int)HeartbeatInterval.TotalMilliseconds);
    }

    /// <summary>How long a consumer that stopped heartbeating stays in its group, on either group protocol.</summary>
    public static TimeSpan SessionTimeout { get; } = TimeSpan.FromSeconds(6);

    private static TimeSpan HeartbeatInterval { get; } = TimeSpan.FromMilliseconds(500);

    public string BootstrapServers { get; }

    /// <summary>
    /// Settings that point a server's cluster <paramref name="name"/> at this mock, with a short session timeout so
    /// rebalances take seconds, and a short produce timeout so a write during an outage is answered in seconds. The mock
    /// answers a fetch that found nothing only after the fetch's <c>fetch.wait.max.ms</c> (500 ms by default), not
    /// when a record arrives as a broker does, so consumers here wait at most 10 ms per fetch.
    /// </summary>
    public Dictionary<string, string?> ServerSettings(string name = "default") => new(StringComparer.Ordinal)
    {
        [$"Wal:Kafka:Clusters:{name}:BootstrapServers"] = BootstrapServers,
        [$"Wal:Kafka:Clusters:{name}:Properties:session.timeout.ms"] = ((int)SessionTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        [$"Wal:Kafka:Clusters:{name}:Properties:heartbeat.interval.ms"] = ((int)HeartbeatInterval.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        [$"Wal:Kafka:Clusters:{name}:Properties:message.timeout.ms"] = "5000",
        [$"Wal:Kafka:Clusters:{name}:Properties:fetch.wait.max.ms"] = "10",
        [$"Wal:Kafka:Clusters:{name}:CreateTopics"] = "false",
    };

    public void CreateTopic(string topic, int partitions)
    {
        var error = Native.rd_kafka_mock_topic_create(_cluster, topic, partitions, Brokers);
        if (error != 0)
        {
            throw new InvalidOperationException($"mock topic {topic} not created: error {error}");
        }
    }

    /// <summary>Creates a namespace's topic, retry topic and dead-letter topic under their default names.</summary>
    public void CreateNamespaceTopics(string ns, int partitions = 4)
    {
        CreateTopic($"wal.{ns}", partitions);
        CreateTopic($"wal.{ns}.retry", partitions);
        CreateTopic($"wal.{ns}.dlq", 1);
    }

    /// <summary>
    /// The brokers' <c>group.initial.rebalance.delay.ms</c>: how long a group with no members waits for more before its
    /// first assignment [3 s, as on a broker by default].
    /// </summary>
    public void SetInitialRebalanceDelay(TimeSpan delay) =>
        Native.rd_kafka_mock_group_initial_rebalance_delay_ms(_cluster, (int)delay.TotalMilliseconds);

    public void SetBrokersDown(bool down)
    {
        for (var id = 1; id <= Brokers; id++)
        {
            var error = down ? Native.rd_kafka_mock_broker_set_down(_cluster, id) : Native.rd_kafka_mock_broker_set_up(_cluster, id);
            if (error != 0)
            {
                throw new InvalidOperationException($"mock broker {id} not changed: error {error}");
            }
        }
    }

    /// <summary>The next <paramref name="count"/> Produce requests fail with <paramref name="error"/>.</summary>
    public void FailNextProduces(int count, ErrorCode error)
    {
        var errors = Enumerable.Repeat((int)error, count).ToArray();
        Native.rd_kafka_mock_push_request_errors_array(_cluster, ProduceApiKey, (nuint)count, errors);
    }

    public void Dispose() => _host.Dispose();

    private const short ProduceApiKey = 0;

    private static IntPtr NativeHandle(Handle handle)
    {
        var property = typeof(Handle).GetProperty("LibrdkafkaHandle", BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new InvalidOperationException("Confluent.Kafka no longer exposes its native handle this way");
        return ((SafeHandle)property.GetValue(handle)!).DangerousGetHandle();
    }

    /// <summary>
    /// The mock API of the very librdkafka build Confluent.Kafka loaded (on Debian 12 its centos8 build, since the
    /// default one needs libsasl2), found in this process's memory map.
    /// </summary>
    private static partial class Native
    {
        private const string Library = "walservice-librdkafka";
        private static readonly Lock Gate = new();
        private static bool _bound;

        /// <summary>Binds once; a second cluster made meanwhile on another thread waits until the first has bound.</summary>
        public static void Bind()
        {
            lock (Gate)
            {
                if (_bound)
                {
                    return;
                }

                var path = File.ReadLines("/proc/self/maps")
                    .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault())
                    .FirstOrDefault(p => p is not null && Path.GetFileName(p).Contains("librdkafka", StringComparison.Ordinal))
                    ?? throw new InvalidOperationException("librdkafka is not loaded in this process");
                NativeLibrary.SetDllImportResolver(typeof(Native).Assembly, (name, _, _) => name == Library ? NativeLibrary.Load(path) : IntPtr.Zero);
                _bound = true;
            }
        }

        [LibraryImport(Library)]
        public static partial IntPtr rd_kafka_handle_mock_cluster(IntPtr rk);

        [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int rd_kafka_mock_topic_create(IntPtr mcluster, string topic, int partitionCount, int replicationFactor);

        [LibraryImport(Library)]
        public static partial void rd_kafka_mock_group_initial_rebalance_delay_ms(IntPtr mcluster, int delayMs);

        [LibraryImport(Library)]
        public static partial void rd_kafka_mock_set_group_consumer_session_timeout_ms(IntPtr mcluster, int sessionTimeoutMs);

        [LibraryImport(Library)]
        public static partial void rd_kafka_mock_set_group_consumer_heartbeat_interval_ms(IntPtr mcluster, int heartbeatIntervalMs);

        [LibraryImport(Library)]
        public static partial int rd_kafka_mock_broker_set_down(IntPtr mcluster, int brokerId);

        [LibraryImport(Library)]
        public static partial int rd_kafka_mock_broker_set_up(IntPtr mcluster, int brokerId);

        [LibraryImport(Library)]
        public static partial void rd_kafka_mock_push_request_errors_array(IntPtr mcluster, short apiKey, nuint count, int[] errors);
    }
}
