using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.SqsTests;

/// <summary>The <c>sqs</c> target: embedded namespaces whose messages are delivered to an application's queue on the emulator.</summary>
public sealed class SqsTargetTests(SqsServer server) : SqsServerTest(server), IClassFixture<SqsServer>
{
    [Fact]
    public async Task WrittenTextArrivesInTheApplicationQueueAsTheBodyWithDeliveryAttributesAndHeaders()
    {
        var ns = await CreateAsync(TargetNamespace(await AppQueueAsync()));

        var id = await WriteDurableAsync(ns.Name, "hello ✓", new WalWriteOptions { Headers = new Dictionary<string, string> { ["tenant"] = "eu-1" } });
        var status = await WaitForStateAsync(ns.Name, id, MessageState.Applied);
        var message = await ReceiveOneAsync(ns.Target.Sqs.QueueName, id);

        Assert.Equal(1, status.Attempts);
        Assert.Equal("hello ✓", message.Body);
        Assert.Equal(ns.Name, message.MessageAttributes["wal-namespace"].StringValue);
        Assert.Equal("1", message.MessageAttributes["wal-attempt"].StringValue);
        Assert.Equal("eu-1", message.MessageAttributes["tenant"].StringValue);
        Assert.False(message.MessageAttributes.ContainsKey("wal-encoding"));
        var writtenAt = DateTimeOffset.Parse(message.MessageAttributes["wal-original-write-time"].StringValue, CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow - writtenAt, TimeSpan.Zero, Deadline);
    }

    [Fact]
    public async Task AChunkOfATransactionArrivesWithItsTransactionAttributes()
    {
        var ns = await CreateAsync(TargetNamespace(await AppQueueAsync()));
        var txn = "txn-" + Guid.NewGuid().ToString("N")[..8];

        var answers = await Wal.Log.WriteToLogBatchAsync(
            new WriteToLogBatchRequest
            {
                Entries =
                {
                    new WriteToLogRequest { Namespace = ns.Name, Payload = ByteString.CopyFromUtf8("chunk 0"), Chunk = new Chunk { TransactionId = txn, Sequence = 0 } },
                    new WriteToLogRequest { Namespace = ns.Name, Payload = ByteString.CopyFromUtf8("chunk 1"), Chunk = new Chunk { TransactionId = txn, Sequence = 1, Last = true } },
                },
            },
            cancellationToken: TestContext.Current.CancellationToken);
        var id = answers.Results[1].MessageId;
        await WaitForStateAsync(ns.Name, id, MessageState.Applied);
        var message = await ReceiveOneAsync(ns.Target.Sqs.QueueName, id);

        Assert.All(answers.Results, r => Assert.Equal(Trilean.True, r.Durable));
        Assert.Equal(txn, message.MessageAttributes["wal-transaction-id"].StringValue);
        Assert.Equal("chunk " + message.MessageAttributes["wal-chunk"].StringValue, message.Body);
        Assert.Equal("2", message.MessageAttributes["wal-chunk-count"].StringValue);
    }

    [Fact]
    public async Task ABinaryPayloadArrivesBase64EncodedAndSaysSo()
    {
        var ns = await CreateAsync(TargetNamespace(await AppQueueAsync()));
        byte[] payload = [0x00, 0xff, 0xfe, 0x41];

        var response = await Wal.WriteAsync(ns.Name, payload, cancellationToken: Ct);
        await WaitForStateAsync(ns.Name, response.MessageId, MessageState.Applied);
        var message = await ReceiveOneAsync(ns.Target.Sqs.QueueName, response.MessageId);

        Assert.Equal("base64", message.MessageAttributes["wal-encoding"].StringValue);
        Assert.Equal(payload, Convert.FromBase64String(message.Body));
    }

    [Fact]
    public async Task HeadersBeyondTheAttributesSqsTakesTravelTogetherAsJson()
    {
        var ns = await CreateAsync(TargetNamespace(await AppQueueAsync()));
        var headers = Enumerable.Range(1, 8).ToDictionary(i => $"h{i}", i => $"v{i}");

        var id = await WriteDurableAsync(ns.Name, "many", new WalWriteOptions { Headers = headers });
        await WaitForStateAsync(ns.Name, id, MessageState.Applied);
        var message = await ReceiveOneAsync(ns.Target.Sqs.QueueName, id);

        Assert.Equal(headers, JsonSerializer.Deserialize<Dictionary<string, string>>(message.MessageAttributes["wal-headers"].StringValue));
        Assert.False(message.MessageAttributes.ContainsKey("h1"));
    }

    [Fact]
    public async Task AMissingQueueDeadLettersTheMessageAfterOneAttempt()
    {
        var ns = await CreateAsync(TargetNamespace($"app-missing-{Guid.NewGuid():N}", maxAttempts: 5));

        var id = await WriteDurableAsync(ns.Name, "nowhere");
        var status = await WaitForStateAsync(ns.Name, id, MessageState.DeadLettered);

        Assert.Equal(1, status.Attempts);
        Assert.Contains(ns.Target.Sqs.QueueName, status.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingOrIllegalQueueNameIsAnInvalidArgumentNamingTheField()
    {
        var missing = TargetNamespace(string.Empty);
        var open = await CreateAsync(TargetNamespace(await AppQueueAsync()));
        var illegal = new Target { Sqs = new SqsTarget { QueueName = "orders events!" } };

        await AssertRpcErrorAsync(
            StatusCode.InvalidArgument,
            () => Wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = missing }, cancellationToken: Ct).ResponseAsync,
            "config.target.sqs.queue_name is required");
        var write = await AssertRpcErrorAsync(
            StatusCode.InvalidArgument,
            () => Wal.WriteAsync(open.Name, Encoding.UTF8.GetBytes("x"), new WalWriteOptions { Target = illegal }, Ct),
            "target.sqs.queue_name 'orders events!' is not a valid standard queue name");
        Assert.StartsWith("target.sqs.queue_name", write.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>A fresh queue of the application, created on the emulator.</summary>
    private async Task<string> AppQueueAsync()
    {
        var queue = $"app-{Guid.NewGuid():N}";
        await Server.Client.CreateQueueAsync(queue, Ct);
        return queue;
    }

    /// <summary>An embedded namespace delivering to <paramref name="queue"/>, with fast retries.</summary>
    private static NamespaceConfig TargetNamespace(string queue, int maxAttempts = 3) => new()
    {
        Name = $"st-{Guid.NewGuid().ToString("N")[..10]}",
        AllowTargetOverride = true,
        Target = new Target { Sqs = new SqsTarget { QueueName = queue } },
        Retry = TestNamespaces.FastRetries(maxAttempts),
    };
}
