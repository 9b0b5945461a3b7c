using System.Globalization;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.KafkaTests;

/// <summary>The <c>kafka</c> target: embedded namespaces whose messages are delivered to an application's topic on the mock cluster.</summary>
/// <remarks>Runs alone: one test takes the shared mock cluster's brokers down, which other classes' namespaces would feel.</remarks>
[Collection(nameof(KafkaTargetTests))]
public sealed class KafkaTargetTests(KafkaServer server) : KafkaServerTest(server)
{
    /// <summary>Long enough for a produce to time out while the brokers are down (15 s) and to reconnect afterwards.</summary>
    private static readonly TimeSpan OutageDeadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task WrittenMessageArrivesInTheApplicationTopicWithPayloadKeyAndHeaders()
    {
        var ns = await CreateAsync(TargetNamespace(AppTopic()));
        var topic = ns.Target.Kafka.Topic;

        var id = await WriteDurableAsync(ns.Name, "hello", new WalWriteOptions { OrderingKey = "order-7", Headers = new Dictionary<string, string> { ["tenant"] = "eu-1" } });
        var status = await WaitForStateAsync(ns.Name, id, MessageState.Applied);
        var record = ReadOne(topic, id);

        Assert.Equal(1, status.Attempts);
        Assert.Equal("hello", Encoding.UTF8.GetString(record.Message.Value));
        Assert.Equal("order-7", Encoding.UTF8.GetString(record.Message.Key));
        Assert.Equal(ns.Name, Header(record, "wal-namespace"));
        Assert.Equal("1", Header(record, "wal-attempt"));
        Assert.Equal("eu-1", Header(record, "tenant"));
        var writtenAt = DateTimeOffset.Parse(Header(record, "wal-original-write-time"), CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow - writtenAt, TimeSpan.Zero, Deadline);
    }

    [Fact]
    public async Task AChunkOfATransactionArrivesWithItsTransactionHeaders()
    {
        var ns = await CreateAsync(TargetNamespace(AppTopic()));
        var txn = "txn-" + Guid.NewGuid().ToString("N")[..8];

        var answers = await Wal.Log.WriteToLogBatchAsync(
            new WriteToLogBatchRequest
            {
                Entries =
                {
                    new WriteToLogRequest { Namespace = ns.Name, Payload = ByteString.CopyFromUtf8("first half"), Chunk = new Chunk { TransactionId = txn, Sequence = 0 } },
                    new WriteToLogRequest { Namespace = ns.Name, Payload = ByteString.CopyFromUtf8("second half"), Chunk = new Chunk { TransactionId = txn, Sequence = 1, Last = true } },
                },
            },
            cancellationToken: TestContext.Current.CancellationToken);
        var id = answers.Results[1].MessageId;
        await WaitForStateAsync(ns.Name, id, MessageState.Applied);
        var record = ReadOne(ns.Target.Kafka.Topic, id);

        Assert.All(answers.Results, r => Assert.Equal(Trilean.True, r.Durable));
        Assert.Equal("first half", Encoding.UTF8.GetString(record.Message.Value));
        Assert.Equal(txn, Header(record, "wal-transaction-id"));
        Assert.Equal("0", Header(record, "wal-chunk"));
        Assert.Equal("2", Header(record, "wal-chunk-count"));
    }

    [Fact]
    public async Task WithoutAnOrderingKeyTheRecordKeyIsTheMessageId()
    {
        var ns = await CreateAsync(TargetNamespace(AppTopic()));

        var id = await WriteDurableAsync(ns.Name, "unordered");
        await WaitForStateAsync(ns.Name, id, MessageState.Applied);
        var record = ReadOne(ns.Target.Kafka.Topic, id);

        Assert.Equal(id, Encoding.UTF8.GetString(record.Message.Key));
    }

    [Fact]
    public async Task AnUnknownClusterIsAnInvalidArgumentNamingTheField()
    {
        var config = TargetNamespace(AppTopic());
        config.Target.Kafka.Cluster = "nowhere";
        var open = await CreateAsync(TargetNamespace(AppTopic()));
        var elsewhere = new Target { Kafka = new KafkaTarget { Cluster = "nowhere", Topic = open.Target.Kafka.Topic } };

        await AssertRpcErrorAsync(
            StatusCode.InvalidArgument,
            () => Wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct).ResponseAsync,
            "config.target.kafka.cluster 'nowhere' is not configured on this server");
        var write = await AssertRpcErrorAsync(
            StatusCode.InvalidArgument,
            () => Wal.WriteAsync(open.Name, Encoding.UTF8.GetBytes("x"), new WalWriteOptions { Target = elsewhere }, Ct),
            "target.kafka.cluster 'nowhere'");
        Assert.StartsWith("target.kafka.cluster", write.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingOrIllegalTopicIsAnInvalidArgument()
    {
        var missing = TargetNamespace(string.Empty);
        var illegal = TargetNamespace("orders events!");

        await AssertRpcErrorAsync(
            StatusCode.InvalidArgument,
            () => Wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = missing }, cancellationToken: Ct).ResponseAsync,
            "config.target.kafka.topic is required");
        await AssertRpcErrorAsync(
            StatusCode.InvalidArgument,
            () => Wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = illegal }, cancellationToken: Ct).ResponseAsync,
            "config.target.kafka.topic 'orders events!' is not a valid topic name");
    }

    [Fact]
    public async Task ADeliveryWhileTheBrokersAreDownIsRetriedAndAppliedOnceTheyAreUp()
    {
        var ns = await CreateAsync(TargetNamespace(AppTopic(), maxAttempts: 20));
        string id;
        MessageStatus failed;
        Cluster.SetBrokersDown(true);
        try
        {
            id = await WriteDurableAsync(ns.Name, "patient");
            failed = await Eventually.WaitAsync(
                async () => await Wal.GetStatusAsync(ns.Name, id, Ct) is { LastError.Length: > 0 } status ? status : null,
                OutageDeadline,
                $"a failed attempt to deliver {id}");
        }
        finally
        {
            Cluster.SetBrokersDown(false);
        }

        var applied = await Eventually.WaitAsync(
            async () => await Wal.GetStatusAsync(ns.Name, id, Ct) is { State: MessageState.Applied } status ? status : null,
            OutageDeadline,
            $"message {id} to be applied");
        var record = ReadOne(ns.Target.Kafka.Topic, id);

        Assert.NotEqual(MessageState.Applied, failed.State);
        Assert.Contains("kafka", failed.LastError, StringComparison.Ordinal);
        Assert.True(applied.Attempts >= 2, $"applied on attempt {applied.Attempts}");
        Assert.Equal(applied.Attempts.ToString(CultureInfo.InvariantCulture), Header(record, "wal-attempt"));
        Assert.Equal("patient", Encoding.UTF8.GetString(record.Message.Value));
    }

    /// <summary>A fresh topic of the application, created on the mock cluster.</summary>
    private static string AppTopic()
    {
        var topic = $"app.{Guid.NewGuid():N}";
        Cluster.CreateTopic(topic, partitions: 2);
        return topic;
    }

    /// <summary>An embedded namespace delivering to <paramref name="topic"/> on cluster "default", with fast retries.</summary>
    private static NamespaceConfig TargetNamespace(string topic, int maxAttempts = 3) => new()
    {
        Name = $"kt-{Guid.NewGuid().ToString("N")[..10]}",
        AllowTargetOverride = true,
        Target = new Target { Kafka = new KafkaTarget { Topic = topic } },
        Retry = TestNamespaces.FastRetries(maxAttempts),
    };
}

[CollectionDefinition(nameof(KafkaTargetTests), DisableParallelization = true)]
public sealed class KafkaTargetTestsRunAlone;
