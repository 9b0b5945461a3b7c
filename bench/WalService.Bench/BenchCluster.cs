using Confluent.Kafka;
using Confluent.Kafka.Admin;
using WalService.LocalBackends;

namespace WalService.Bench;

/// <summary>
/// The Kafka cluster of the Kafka mode: librdkafka's mock cluster hosted in the bench (its brokers' threads count as
/// the bench's CPU), or an existing cluster at the bootstrap servers given.
/// </summary>
internal sealed class BenchCluster : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly MockKafkaCluster? _mock;

    private BenchCluster(MockKafkaCluster? mock, string bootstrapServers)
    {
        _mock = mock;
        BootstrapServers = bootstrapServers;
    }

    public string BootstrapServers { get; }

    public bool IsMock => _mock is not null;

    public static BenchCluster Open(BenchSettings settings)
    {
        if (!settings.KafkaMock)
        {
            return new BenchCluster(null, settings.KafkaBootstrap ?? throw new InvalidOperationException("the Kafka mode needs --kafka-mock or --kafka-bootstrap"));
        }

        var mock = new MockKafkaCluster();
        return new BenchCluster(mock, mock.BootstrapServers);
    }

    /// <summary>
    /// Configuration of a server the bench starts: its cluster <paramref name="name"/> is this one, its consumers use
    /// <paramref name="groupProtocol"/>. On the mock, topics come from the bench (the mock does not serve CreateTopics),
    /// and consumer groups settle in seconds.
    /// </summary>
    public IReadOnlyDictionary<string, string?> ServerSettings(string name, string groupProtocol)
    {
        var settings = _mock is not null
            ? _mock.ServerSettings(name)
            : new Dictionary<string, string?>(StringComparer.Ordinal) { [$"Wal:Kafka:Clusters:{name}:BootstrapServers"] = BootstrapServers };
        settings[$"Wal:Kafka:Clusters:{name}:GroupProtocol"] = groupProtocol;
        return settings;
    }

    /// <summary>
    /// Creates the plain producer's topic, and on the mock also the namespace's topics (the server creates them on a
    /// real cluster when it creates the namespace). A topic that exists already is kept as it is.
    /// </summary>
    public async Task CreateTopicsAsync(string ns, string plainTopic, int partitions, IProducer<byte[], byte[]> producer)
    {
        if (_mock is not null)
        {
            _mock.CreateNamespaceTopics(ns, partitions);
            _mock.CreateTopic(plainTopic, partitions);
            return;
        }

        using var admin = new DependentAdminClientBuilder(producer.Handle).Build();
        try
        {
            await admin.CreateTopicsAsync(
                [new TopicSpecification { Name = plainTopic, NumPartitions = partitions, ReplicationFactor = -1 }],
                new CreateTopicsOptions { RequestTimeout = Timeout, OperationTimeout = Timeout });
        }
        catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // It exists from an earlier run.
        }
    }

    /// <summary>
    /// Makes a new namespace's topics ready before it is created: on the mock they are created under their default
    /// names (the mock does not serve CreateTopics); on a real cluster the server creates them itself.
    /// </summary>
    public void PrepareNamespaceTopics(string ns, int partitions) => _mock?.CreateNamespaceTopics(ns, partitions);

    /// <summary>Partitions of <paramref name="topic"/> as the cluster lists them; 0 when it does not.</summary>
    public static int Partitions(IProducer<byte[], byte[]> producer, string topic)
    {
        using var admin = new DependentAdminClientBuilder(producer.Handle).Build();
        return admin.GetMetadata(topic, Timeout).Topics.FirstOrDefault(t => t.Topic == topic && t.Error.Code == ErrorCode.NoError)?.Partitions.Count ?? 0;
    }

    public void Dispose() => _mock?.Dispose();
}
