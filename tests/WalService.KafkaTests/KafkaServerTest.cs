using System.Text;
using Confluent.Kafka;
using WalService.Api.V1;
using WalService.LocalBackends;
using WalService.TestSupport;

namespace WalService.KafkaTests;

/// <summary>A test against the in-process server with namespaces on the mock cluster and a real HTTP target.</summary>
public abstract class KafkaServerTest(KafkaServer server) : WalServerTest(Deadline), IClassFixture<KafkaServer>
{
    /// <summary>Generous: a consumer's first group join alone takes about 3 s.</summary>
    internal static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static int _counter;

    protected static MockKafkaCluster Cluster => KafkaServer.Cluster;

    protected override WalServerFactory Factory => server.Factory;

    /// <summary>A namespace on the mock cluster with an HTTP target and fast retries; its topics exist first.</summary>
    internal static NamespaceConfig KafkaNamespace(string url, int maxAttempts = 3, int partitions = 4)
    {
        var config = TestNamespaces.Http($"k{Interlocked.Increment(ref _counter)}-{Guid.NewGuid().ToString("N")[..6]}", url, maxAttempts);
        Cluster.CreateNamespaceTopics(config.Name, partitions);
        config.Kafka = new KafkaBackend();
        config.AllowTargetOverride = true;
        return config;
    }

    /// <summary>Reads <paramref name="topic"/> from its start with a plain consumer up to the record whose <c>wal-message-id</c> is <paramref name="messageId"/>.</summary>
    internal static ConsumeResult<byte[], byte[]> ReadOne(string topic, string messageId)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = Cluster.BootstrapServers,
            GroupId = "reader-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            SessionTimeoutMs = 6000,
        }).SetLogHandler((_, _) => { }).Build();
        consumer.Subscribe(topic);
        var deadline = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < deadline)
        {
            var record = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (record?.Message is not null && Header(record, "wal-message-id") == messageId)
            {
                return record;
            }
        }

        throw new TimeoutException($"message {messageId} not found in {topic}");
    }

    internal static string Header(ConsumeResult<byte[], byte[]> record, string name) =>
        record.Message.Headers.TryGetLastBytes(name, out var value) ? Encoding.UTF8.GetString(value) : throw new KeyNotFoundException(name);
}
