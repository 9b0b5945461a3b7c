using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using WalService.Api.V1;
using WalService.Kafka;
using WalService.LocalBackends;
using WalService.TestSupport;

namespace WalService.KafkaTests;

/// <summary>
/// A Kafka namespace works from its creation or is refused: on the mock cluster, which does not serve CreateTopics but
/// creates a topic that a producer asks for, a namespace whose topics were not created beforehand gets them at
/// <c>CreateNamespace</c>, and its retries flow through its retry topic.
/// </summary>
public sealed class KafkaTopicTests(KafkaServer server) : KafkaServerTest(server)
{
    [Fact]
    public async Task ANamespaceWhoseTopicsWereNotCreatedBeforehandGetsThemAndRetriesThroughItsRetryTopic()
    {
        var config = TestNamespaces.Http($"auto-{Guid.NewGuid().ToString("N")[..8]}", Target.Url("/fail/1"), maxAttempts: 5);
        config.Kafka = new KafkaBackend();
        await CreateAsync(config);

        var id = await WriteDurableAsync(config.Name, "first");

        await Target.WaitForAppliedAsync(id, Deadline);
        Assert.Equal([503, 200], Target.For(id).Select(r => r.AnsweredStatus));
        Assert.Equal([1, 2], Target.For(id).Select(r => r.Attempt));
        Assert.Equal(id, Header(ReadOne($"wal.{config.Name}.retry", id), "wal-message-id"));
    }

    [Fact]
    public async Task ANamespaceWithPreCreatedTopicsRetriesWithinItsBackoff()
    {
        var config = KafkaNamespace(Target.Url("/fail/1"), maxAttempts: 5);
        await CreateConsumingAsync(config);

        var id = await WriteDurableAsync(config.Name, "first");

        await Target.WaitForAppliedAsync(id, Deadline);
        var attempts = Target.For(id);
        TestContext.Current.TestOutputHelper?.WriteLine($"attempt 2 came {(attempts[^1].ReceivedAt - attempts[0].ReceivedAt).TotalMilliseconds:F0} ms after attempt 1 (backoff 50 ms)");
        Assert.Equal([503, 200], attempts.Select(r => r.AnsweredStatus));
        // FastRetries: a 50 ms backoff, spread by its jitter; the upper bound leaves room for a loaded machine.
        Assert.InRange(attempts[1].ReceivedAt - attempts[0].ReceivedAt, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(3));
    }
}

/// <summary>A server whose producer asks for no topic creation: the mock cluster then creates no topic.</summary>
public sealed class KafkaNoAutoCreateServer : IAsyncDisposable
{
    public KafkaNoAutoCreateServer()
    {
        foreach (var (key, value) in KafkaServer.Cluster.ServerSettings())
        {
            Factory.Settings[key] = value;
        }

        Factory.Settings["Wal:Kafka:Clusters:default:Properties:allow.auto.create.topics"] = "false";
    }

    public WalServerFactory Factory { get; } = new();

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}

/// <summary>Where a namespace's topics neither exist nor can be created, <c>CreateNamespace</c> says so.</summary>
public sealed class KafkaMissingTopicTests(KafkaNoAutoCreateServer server) : WalServerTest(KafkaServerTest.Deadline), IClassFixture<KafkaNoAutoCreateServer>
{
    protected override WalServerFactory Factory => server.Factory;

    private static MockKafkaCluster Cluster => KafkaServer.Cluster;

    [Fact]
    public async Task ANamespaceWhoseRetryTopicCannotBeCreatedIsRefusedNamingTheTopicAndCreateTopics()
    {
        var config = TestNamespaces.Http($"miss-{Guid.NewGuid().ToString("N")[..8]}", Target.Url("/ok"), maxAttempts: 3);
        config.Kafka = new KafkaBackend();
        Cluster.CreateTopic($"wal.{config.Name}", 2);

        var error = await AssertRpcErrorAsync(StatusCode.FailedPrecondition, () => CreateAsync(config), "config.kafka.retry_topic");

        Assert.Contains($"wal.{config.Name}.retry", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("CreateTopics", error.Status.Detail, StringComparison.Ordinal);
        await AssertRpcErrorAsync(StatusCode.NotFound, async () => await Wal.Admin.GetNamespaceAsync(new GetNamespaceRequest { Name = config.Name }, cancellationToken: Ct));
    }

    [Fact]
    public async Task ANamespaceWhoseTopicsExistIsAcceptedAndDelivers()
    {
        var config = TestNamespaces.Http($"have-{Guid.NewGuid().ToString("N")[..8]}", Target.Url("/ok"), maxAttempts: 3);
        config.Kafka = new KafkaBackend();
        Cluster.CreateNamespaceTopics(config.Name, 2);

        await CreateAsync(config);
        var id = await WriteDurableAsync(config.Name, "one");

        await Target.WaitForAppliedAsync(id, KafkaServerTest.Deadline);
    }
}

/// <summary>A namespace's consumer picks up a subscribed topic that appears after it subscribed, within seconds.</summary>
public sealed class KafkaLateTopicTests(KafkaServer server) : KafkaServerTest(server)
{
    [Fact]
    public async Task ARetryTopicCreatedAfterTheConsumerSubscribedIsConsumedWithinSeconds()
    {
        var name = $"late-{Guid.NewGuid().ToString("N")[..8]}";
        Cluster.CreateTopic($"wal.{name}", 2);
        var kafka = Kafka.KafkaNamespace.From(new NamespaceConfig { Name = name, Kafka = new KafkaBackend() });
        var clusters = Factory.Services.GetRequiredService<KafkaClusters>();
        var slot = new ConsumerSlot<KafkaNamespaceConsumer>(
            () =>
            {
                var consumer = new KafkaNamespaceConsumer(name, kafka, clusters, TimeProvider.System, NullLogger.Instance, () => { });
                consumer.Start();
                return consumer;
            },
            c => c.Failed);
        try
        {
            await Eventually.WaitAsync(() => slot.Use()!.AssignedPartitions == 2, Deadline, "the topic's partitions to be assigned");

            Cluster.CreateTopic($"wal.{name}.retry", 2);
            var clock = Stopwatch.StartNew();
            await Eventually.WaitAsync(() => slot.Use()!.AssignedPartitions == 4, Deadline, "the retry topic's partitions to be assigned too");

            // librdkafka alone would look again at its next metadata refresh, 5 minutes by default.
            TestContext.Current.TestOutputHelper?.WriteLine($"retry topic assigned {clock.ElapsedMilliseconds} ms after it was created");
            Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(20));
        }
        finally
        {
            await slot.StopAsync(c => c.StopAsync());
        }
    }
}
