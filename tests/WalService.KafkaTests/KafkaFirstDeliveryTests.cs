using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using WalService.Api.V1;
using WalService.Kafka;
using WalService.LocalBackends;
using WalService.TestSupport;

namespace WalService.KafkaTests;

/// <summary>
/// A mock cluster of its own, whose brokers hold a classic group's first join for <paramref name="classicJoinDelay"/>
/// (<c>group.initial.rebalance.delay.ms</c>), and a server on it whose consumers use <paramref name="groupProtocol"/>.
/// </summary>
public abstract class KafkaOwnClusterServer : IAsyncDisposable
{
    protected KafkaOwnClusterServer(TimeSpan classicJoinDelay, string groupProtocol)
    {
        Cluster.SetInitialRebalanceDelay(classicJoinDelay);
        foreach (var (key, value) in Cluster.ServerSettings())
        {
            Factory.Settings[key] = value;
        }

        Factory.Settings["Wal:Kafka:Clusters:default:GroupProtocol"] = groupProtocol;
    }

    public MockKafkaCluster Cluster { get; } = new();

    public WalServerFactory Factory { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        Cluster.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>Brokers that do not hold a classic group's first join, and classic consumers.</summary>
public sealed class KafkaNoJoinDelayServer() : KafkaOwnClusterServer(TimeSpan.Zero, KafkaGroupProtocols.Classic);

/// <summary>Brokers that hold a classic group's first join for a minute, and consumers on the consumer group protocol (KIP-848), which has no such hold.</summary>
public sealed class KafkaConsumerProtocolServer() : KafkaOwnClusterServer(ClassicJoinDelay, KafkaGroupProtocols.Consumer)
{
    public static readonly TimeSpan ClassicJoinDelay = TimeSpan.FromMinutes(1);
}

/// <summary>A test on a server of its own cluster: the time from <c>CreateNamespace</c> to the first delivery, written to the test output.</summary>
public abstract class KafkaOwnClusterTest(KafkaOwnClusterServer server) : WalServerTest(KafkaServerTest.Deadline)
{
    protected override WalServerFactory Factory => server.Factory;

    protected async Task<TimeSpan> FirstDeliveryAfterCreationAsync(string prefix)
    {
        var config = TestNamespaces.Http($"{prefix}-{Guid.NewGuid().ToString("N")[..8]}", Target.Url("/ok"), maxAttempts: 3);
        config.Kafka = new KafkaBackend();

        var clock = Stopwatch.StartNew();
        await CreateAsync(config);
        var id = await WriteDurableAsync(config.Name, "first");
        await Target.WaitForAppliedAsync(id, KafkaServerTest.Deadline);

        TestContext.Current.TestOutputHelper?.WriteLine($"first delivery {clock.ElapsedMilliseconds} ms after CreateNamespace");
        return clock.Elapsed;
    }
}

/// <summary>
/// Time to the first delivery of a new namespace is its consumer's group join and little more: on brokers that do not
/// hold a first join, a few hundred milliseconds. The bound is generous.
/// </summary>
public sealed class KafkaFirstDeliveryTests(KafkaNoJoinDelayServer server) : KafkaOwnClusterTest(server), IClassFixture<KafkaNoJoinDelayServer>
{
    [Fact]
    public async Task ANewNamespaceDeliversItsFirstMessageSoonAfterItsCreationWhenTheBrokerDoesNotHoldTheJoin()
    {
        var elapsed = await FirstDeliveryAfterCreationAsync("nodelay");

        Assert.InRange(elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }
}

/// <summary>
/// With the consumer group protocol a new namespace delivers as soon as the broker assigns its partitions, without the
/// hold a classic group's first join gets (a minute on this cluster).
/// </summary>
public sealed class KafkaConsumerProtocolTests(KafkaConsumerProtocolServer server) : KafkaOwnClusterTest(server), IClassFixture<KafkaConsumerProtocolServer>
{
    [Fact]
    public async Task ANewNamespaceDeliversItsFirstMessageWithoutTheClassicFirstJoinHold()
    {
        var elapsed = await FirstDeliveryAfterCreationAsync("kip848");

        Assert.InRange(elapsed, TimeSpan.Zero, KafkaConsumerProtocolServer.ClassicJoinDelay / 2);
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
