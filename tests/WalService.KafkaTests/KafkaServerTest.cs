using System.Text;
using Confluent.Kafka;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.KafkaTests;

/// <summary>A test against the in-process server with namespaces on the mock cluster and a real HTTP target.</summary>
public abstract class KafkaServerTest(KafkaServer server) : IClassFixture<KafkaServer>, IAsyncLifetime
{
    /// <summary>Generous: a consumer's first group join alone takes about 3 s.</summary>
    protected static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static int _counter;

    protected static MockKafkaCluster Cluster => KafkaServer.Cluster;

    protected WalServerFactory Factory => server.Factory;

    protected WalClient Wal { get; private set; } = null!;

    protected HttpTargetServer Target { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Target = await HttpTargetServer.StartAsync();
        Wal = Factory.CreateWalClient();
    }

    public async ValueTask DisposeAsync()
    {
        await Target.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>A namespace on the mock cluster with an HTTP target and fast retries; its topics exist first.</summary>
    protected static NamespaceConfig KafkaNamespace(string url, int maxAttempts = 3, int partitions = 4)
    {
        var name = $"k{Interlocked.Increment(ref _counter)}-{Guid.NewGuid().ToString("N")[..6]}";
        Cluster.CreateNamespaceTopics(name, partitions);
        return new NamespaceConfig
        {
            Name = name,
            Kafka = new KafkaBackend(),
            AllowTargetOverride = true,
            Target = new Target { Http = new HttpTarget { Url = url, Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) } },
            Retry = new RetryPolicy
            {
                MaxAttempts = maxAttempts,
                InitialBackoff = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(50)),
                MaxBackoff = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(200)),
            },
        };
    }

    protected async Task<NamespaceConfig> CreateAsync(NamespaceConfig config)
    {
        await Wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct);
        return config;
    }

    /// <summary>Creates the namespace and waits until its consumer has joined the group and delivers.</summary>
    protected async Task<NamespaceConfig> CreateConsumingAsync(NamespaceConfig config)
    {
        await CreateAsync(config);
        var warmUp = await WriteDurableAsync(config.Name, "warm-up", new WalWriteOptions { Target = new Target { Http = new HttpTarget { Url = Target.Url("/ok") } } });
        await Target.WaitForAppliedAsync(warmUp, Deadline);
        return config;
    }

    protected async Task<string> WriteDurableAsync(string ns, string payload, WalWriteOptions? options = null)
    {
        var response = await Wal.WriteAsync(ns, System.Text.Encoding.UTF8.GetBytes(payload), options, Ct);
        Assert.True(response.Durable == Trilean.True, $"write answered {response.Durable}: {response.Message}");
        return response.MessageId;
    }

    protected Task<MessageStatus> WaitForStateAsync(string ns, string id, MessageState state) =>
        Eventually.WaitAsync(
            async () =>
            {
                var status = await Wal.GetStatusAsync(ns, id, Ct);
                return status.State == state ? status : null;
            },
            Deadline,
            $"message {id} to reach {state}");

    protected static async Task<RpcException> AssertRpcErrorAsync(StatusCode expected, Func<Task> call, string messageContains)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(expected, error.StatusCode);
        Assert.Contains(messageContains, error.Status.Detail, StringComparison.Ordinal);
        return error;
    }

    /// <summary>Reads <paramref name="topic"/> from its start with a plain consumer up to the record whose <c>wal-message-id</c> is <paramref name="messageId"/>.</summary>
    protected static ConsumeResult<byte[], byte[]> ReadOne(string topic, string messageId)
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

    protected static string Header(ConsumeResult<byte[], byte[]> record, string name) =>
        record.Message.Headers.TryGetLastBytes(name, out var value) ? Encoding.UTF8.GetString(value) : throw new KeyNotFoundException(name);
}
