using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using WalService.Api.V1;
using WalService.Kafka;
using WalService.LocalBackends;
using WalService.TestSupport;

namespace WalService.KafkaTests;

/// <summary>A mock cluster of its own whose brokers do not hold a group's first join (<c>group.initial.rebalance.delay.ms</c> = 0), and a server on it.</summary>
public sealed class KafkaNoJoinDelayServer : IAsyncDisposable
{
    public KafkaNoJoinDelayServer()
    {
        Cluster.SetInitialRebalanceDelay(TimeSpan.Zero);
        foreach (var (key, value) in Cluster.ServerSettings())
        {
            Factory.Settings[key] = value;
        }
    }

    public MockKafkaCluster Cluster { get; } = new();

    public WalServerFactory Factory { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        Cluster.Dispose();
    }
}

/// <summary>
/// Time to the first delivery of a new namespace is its consumer's group join and little more: on brokers that do not
/// hold a first join, a few hundred milliseconds. The measured time is written to the test output; the bound is generous.
/// </summary>
public sealed class KafkaFirstDeliveryTests(KafkaNoJoinDelayServer server) : WalServerTest(KafkaServerTest.Deadline), IClassFixture<KafkaNoJoinDelayServer>
{
    protected override WalServerFactory Factory => server.Factory;

    [Fact]
    public async Task ANewNamespaceDeliversItsFirstMessageSoonAfterItsCreationWhenTheBrokerDoesNotHoldTheJoin()
    {
        var config = TestNamespaces.Http($"nodelay-{Guid.NewGuid().ToString("N")[..8]}", Target.Url("/ok"), maxAttempts: 3);
        config.Kafka = new KafkaBackend();

        var clock = Stopwatch.StartNew();
        await CreateAsync(config);
        var id = await WriteDurableAsync(config.Name, "first");
        await Target.WaitForAppliedAsync(id, KafkaServerTest.Deadline);

        TestContext.Current.TestOutputHelper?.WriteLine($"first delivery {clock.ElapsedMilliseconds} ms after CreateNamespace");
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }
}

/// <summary>
/// A mock cluster of its own whose brokers hold a classic group's first join for a minute, and a server whose consumers
/// use the KIP-848 consumer group protocol (<c>GroupProtocol = consumer</c>), which has no such hold.
/// </summary>
public sealed class KafkaConsumerProtocolServer : IAsyncDisposable
{
    public static readonly TimeSpan ClassicJoinDelay = TimeSpan.FromMinutes(1);

    public KafkaConsumerProtocolServer()
    {
        Cluster.SetInitialRebalanceDelay(ClassicJoinDelay);
        foreach (var (key, value) in Cluster.ServerSettings())
        {
            Factory.Settings[key] = value;
        }

        Factory.Settings["Wal:Kafka:Clusters:default:GroupProtocol"] = "consumer";
    }

    public MockKafkaCluster Cluster { get; } = new();

    public WalServerFactory Factory { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        Cluster.Dispose();
    }
}

/// <summary>
/// With the consumer group protocol a new namespace delivers as soon as the broker assigns its partitions, without the
/// hold a classic group's first join gets (<c>group.initial.rebalance.delay.ms</c>, a minute on this cluster).
/// </summary>
public sealed class KafkaConsumerProtocolTests(KafkaConsumerProtocolServer server) : WalServerTest(KafkaServerTest.Deadline), IClassFixture<KafkaConsumerProtocolServer>
{
    protected override WalServerFactory Factory => server.Factory;

    [Fact]
    public async Task ANewNamespaceDeliversItsFirstMessageWithoutTheClassicFirstJoinHold()
    {
        var config = TestNamespaces.Http($"kip848-{Guid.NewGuid().ToString("N")[..8]}", Target.Url("/ok"), maxAttempts: 3);
        config.Kafka = new KafkaBackend();

        var clock = Stopwatch.StartNew();
        await CreateAsync(config);
        var id = await WriteDurableAsync(config.Name, "first");
        await Target.WaitForAppliedAsync(id, KafkaServerTest.Deadline);

        TestContext.Current.TestOutputHelper?.WriteLine($"first delivery {clock.ElapsedMilliseconds} ms after CreateNamespace");
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, KafkaConsumerProtocolServer.ClassicJoinDelay / 2);
    }

    [Fact]
    public void TheConsumerProtocolLeavesOutTheClassicOnlyPropertiesTheClusterSets()
    {
        var clusters = Factory.Services.GetRequiredService<KafkaClusters>();

        var config = clusters.ConsumerConfig("default", "wal.any", member: true);

        Assert.Equal(GroupProtocol.Consumer, config.GroupProtocol);
        Assert.Null(config.SessionTimeoutMs);
        Assert.Null(config.HeartbeatIntervalMs);
        Assert.Null(config.PartitionAssignmentStrategy);
        Assert.Equal("10", config.Get("fetch.wait.max.ms"));
    }
}
