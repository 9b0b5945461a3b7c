using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.DockerTests;

/// <summary>
/// The acceptance flow on a real Apache Kafka broker: the service creates the namespace's topics itself, delivers,
/// retries, dead-letters and redrives. Where no Docker engine answers, each test is skipped with what was probed.
/// </summary>
public sealed class KafkaBrokerTests(KafkaBrokerServer kafka) : DockerServerTest
{
    protected override string? SkipReason => kafka.SkipReason;

    protected override WalServerFactory Factory => kafka.Factory;

    [Fact]
    public async Task CreatingANamespaceCreatesItsTopicsWithTheNamespacesPartitionCount()
    {
        var ns = await CreateAsync(KafkaNamespace(Target.Url("/ok"), partitions: 3));

        var topics = new[] { $"wal.{ns.Name}", $"wal.{ns.Name}.dlq", $"wal.{ns.Name}.retry" };

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.BootstrapServers }).SetLogHandler((_, _) => { }).Build();
        var described = await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    return await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames(topics));
                }
                catch (DescribeTopicsException)
                {
                    return null;
                }
            },
            Deadline,
            $"the broker to describe {string.Join(", ", topics)}");

        Assert.Equal(topics, described.TopicDescriptions.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(described.TopicDescriptions, t => Assert.Equal(3, t.Partitions.Count));
    }

    [Fact]
    public async Task WrittenMessageReachesTheTargetWithPayloadHeadersAndAppliedStatus()
    {
        var ns = await CreateAsync(KafkaNamespace(Target.Url("/ok")));

        var id = await WriteDurableAsync(ns.Name, "hello", new WalWriteOptions { Headers = new Dictionary<string, string> { ["tenant"] = "eu-1" } });
        var received = await Target.WaitForAppliedAsync(id, Deadline);
        var status = await WaitForStateAsync(ns.Name, id, MessageState.Applied);

        Assert.Equal("hello", Encoding.UTF8.GetString(received.Body));
        Assert.Equal(ns.Name, received.Headers["wal-namespace"]);
        Assert.Equal("1", received.Headers["wal-attempt"]);
        Assert.Equal("eu-1", received.Headers["tenant"]);
        Assert.Equal(1, status.Attempts);
        Assert.Single(Target.For(id));
    }

    [Fact]
    public async Task TargetFailingTwiceWith503IsAppliedOnAttemptThree()
    {
        var ns = await CreateAsync(KafkaNamespace(Target.Url("/fail/2"), maxAttempts: 5));

        var id = await WriteDurableAsync(ns.Name, "flaky");
        var applied = await Target.WaitForAppliedAsync(id, Deadline);
        var status = await WaitForStateAsync(ns.Name, id, MessageState.Applied);

        Assert.Equal(3, applied.Attempt);
        Assert.Equal([503, 503, 200], Target.For(id).Select(r => r.AnsweredStatus));
        Assert.Equal(3, status.Attempts);
    }

    [Fact]
    public async Task ExhaustedMessageIsDeadLetteredAndARedriveDeliversItOnceTheTargetIsFixed()
    {
        var ns = await CreateAsync(KafkaNamespace(Target.Url("/switch"), maxAttempts: 2));
        Target.SwitchStatus = 503;

        var id = await WriteDurableAsync(ns.Name, "doomed");
        var dead = await WaitForStateAsync(ns.Name, id, MessageState.DeadLettered);
        var letters = await Wal.Admin.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = ns.Name }, cancellationToken: Ct);
        Target.SwitchStatus = 200;
        var redrive = await Wal.Admin.RedriveDeadLettersAsync(new RedriveDeadLettersRequest { Namespace = ns.Name }, cancellationToken: Ct);
        var applied = await Target.WaitForAppliedAsync(id, Deadline);
        var after = await Wal.Admin.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = ns.Name }, cancellationToken: Ct);

        Assert.Equal(2, dead.Attempts);
        Assert.Contains("gave up after 2 attempts", dead.LastError, StringComparison.Ordinal);
        Assert.Equal("doomed", Assert.Single(letters.DeadLetters).Payload.ToStringUtf8());
        Assert.Equal(1, redrive.Redriven);
        Assert.Equal(1, applied.Attempt);
        Assert.Empty(after.DeadLetters);
    }

    /// <summary>A namespace on the broker with an HTTP target and fast retries; the service creates its topics.</summary>
    private static NamespaceConfig KafkaNamespace(string url, int maxAttempts = 3, int partitions = 4)
    {
        var config = TestNamespaces.Http($"d-{Guid.NewGuid().ToString("N")[..8]}", url, maxAttempts);
        config.Kafka = new KafkaBackend { Partitions = partitions };
        return config;
    }
}
