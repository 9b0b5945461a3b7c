using Amazon.SQS.Model;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using WalService.Api.V1;
using WalService.Client;
using WalService.LocalBackends;
using WalService.TestSupport;

namespace WalService.SqsTests;

/// <summary>Namespaces on FIFO queues: ordering keys as message groups, idempotency keys as deduplication ids, delays held by the consumer.</summary>
public sealed class SqsFifoTests(SqsServer server) : SqsServerTest(server), IClassFixture<SqsServer>
{
    [Fact]
    public async Task AFifoNamespaceGetsFifoQueuesAndItsMessagesCarryTheOrderingKeyAsGroupAndTheIdempotencyKeyAsDeduplicationId()
    {
        var ns = await CreateAsync(SqsNamespace(Target.Url("/status/503"), maxAttempts: 50, fifo: true));
        await Wal.Admin.PauseNamespaceAsync(new PauseNamespaceRequest { Name = ns.Name }, cancellationToken: Ct);

        var keyed = await WriteDurableAsync(ns.Name, "keyed", new WalWriteOptions { OrderingKey = "customer-1", IdempotencyKey = "order-42" });
        var plain = await WriteDurableAsync(ns.Name, "plain");
        var received = await ReceiveAllAsync(QueueOf(ns), keyed, plain);
        var (keyedMessage, plainMessage) = (received[keyed], received[plain]);

        foreach (var queue in new[] { QueueOf(ns), DlqOf(ns) })
        {
            var url = (await Server.Client.GetQueueUrlAsync(queue, Ct)).QueueUrl;
            var attributes = await Server.Client.GetQueueAttributesAsync(url, ["FifoQueue"], Ct);
            Assert.Equal("true", attributes.Attributes["FifoQueue"]);
        }

        Assert.Equal("customer-1", keyedMessage.Attributes["MessageGroupId"]);
        Assert.Equal("order-42", keyedMessage.Attributes["MessageDeduplicationId"]);
        Assert.Equal(plain, plainMessage.Attributes["MessageGroupId"]);
        Assert.Equal(plain, plainMessage.Attributes["MessageDeduplicationId"]);
    }

    [Fact]
    public async Task MessagesWithOneOrderingKeyArriveInWriteOrderWhenEachFailsOnceAndEachTakesTwoAttempts()
    {
        var ns = await CreateConsumingAsync(SqsNamespace(Target.Url("/fail/1"), maxAttempts: 5, fifo: true));
        var batch = new WriteToLogBatchRequest();
        for (var i = 0; i < 5; i++)
        {
            batch.Entries.Add(new WriteToLogRequest { Namespace = ns.Name, Payload = ByteString.CopyFromUtf8($"m{i}"), OrderingKey = "customer-1" });
        }

        var ids = (await Wal.Log.WriteToLogBatchAsync(batch, cancellationToken: Ct)).Results.Select(r => r.MessageId).ToList();
        foreach (var id in ids)
        {
            await WaitForStateAsync(ns.Name, id, MessageState.Applied);
        }

        var appliedOrder = Target.Received.Where(r => r.AnsweredStatus == 200 && ids.Contains(r.MessageId)).Select(r => r.MessageId).ToList();
        Assert.Equal(ids, appliedOrder);
        Assert.All(ids, id => Assert.Equal([503, 200], Target.For(id).Select(r => r.AnsweredStatus)));
        Assert.All(ids, id => Assert.Equal([1, 2], Target.For(id).Select(r => r.Attempt)));
        foreach (var id in ids)
        {
            Assert.Equal(2, (await Wal.GetStatusAsync(ns.Name, id, Ct)).Attempts);
        }
    }

    [Fact]
    public async Task ADelayedMessageHoldsBackTheLaterOnesOfItsKeyAndArrivesAsItsFirstAttempt()
    {
        var config = SqsNamespace(Target.Url("/ok"), fifo: true);
        config.Sqs.VisibilityTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(2));
        var ns = await CreateConsumingAsync(config);
        var writtenAt = DateTimeOffset.UtcNow;

        var first = await WriteDurableAsync(ns.Name, "first", new WalWriteOptions { OrderingKey = "k", Delay = TimeSpan.FromSeconds(3) });
        var second = await WriteDurableAsync(ns.Name, "second", new WalWriteOptions { OrderingKey = "k" });
        var unkeyed = await WriteDurableAsync(ns.Name, "unkeyed");
        var firstReceived = await Target.WaitForAppliedAsync(first, Deadline);
        var secondReceived = await Target.WaitForAppliedAsync(second, Deadline);
        var unkeyedReceived = await Target.WaitForAppliedAsync(unkeyed, Deadline);

        Assert.InRange(firstReceived.ReceivedAt - writtenAt, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5));
        Assert.Equal(1, firstReceived.Attempt);
        Assert.Equal(1, (await WaitForStateAsync(ns.Name, first, MessageState.Applied)).Attempts);
        Assert.True(secondReceived.ReceivedAt >= firstReceived.ReceivedAt, "the later message of the key arrived before the delayed one");
        Assert.True(unkeyedReceived.ReceivedAt < firstReceived.ReceivedAt, "a message without a key waited for the delayed one");
    }

    [Fact]
    public async Task TheExampleFifoNamespaceOfTheReadmeIsCreatedWithItsFifoQueues()
    {
        var config = JsonParser.Default.Parse<NamespaceConfig>(await File.ReadAllTextAsync(RepositoryRoot.File("docs", "examples", "orders-sqs-fifo.json"), Ct));

        await CreateAsync(config);
        var queues = await Server.Client.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = "wal-orders-eu" }, Ct);

        Assert.True(config.Sqs.Fifo);
        Assert.Equal(["wal-orders-eu-dlq.fifo", "wal-orders-eu.fifo"], queues.QueueUrls.Select(u => u[(u.LastIndexOf('/') + 1)..]).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Receives from <paramref name="queue"/> with a plain client, keeping each message (hidden for a minute) until all
    /// of <paramref name="messageIds"/> came: one the consumer took before the pause took effect comes back when it stops.
    /// </summary>
    private Task<Dictionary<string, Message>> ReceiveAllAsync(string queue, params string[] messageIds)
    {
        var seen = new Dictionary<string, Message>(StringComparer.Ordinal);
        return Eventually.WaitAsync(
            async () =>
            {
                var url = (await Server.Client.GetQueueUrlAsync(queue, Ct)).QueueUrl;
                var response = await Server.Client.ReceiveMessageAsync(
                    new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 10, WaitTimeSeconds = 1, VisibilityTimeout = 60, MessageAttributeNames = ["All"], MessageSystemAttributeNames = ["All"] },
                    Ct);
                foreach (var message in response.Messages ?? [])
                {
                    seen[message.MessageAttributes["wal-message-id"].StringValue] = message;
                }

                return messageIds.All(seen.ContainsKey) ? seen : null;
            },
            Deadline,
            $"messages {string.Join(", ", messageIds)} in queue {queue}");
    }

    [Theory]
    [InlineData("orders", "config.sqs.queue_name 'orders' is not a valid FIFO queue name")]
    [InlineData("orders.fifo", "config.sqs.queue_name 'orders.fifo' is not a valid standard queue name")]
    public async Task AQueueNameThatDoesNotMatchTheQueueTypeIsRefused(string queue, string error)
    {
        var config = SqsNamespace(Target.Url("/ok"), fifo: !queue.EndsWith(".fifo", StringComparison.Ordinal));
        config.Sqs.QueueName = queue;

        await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => Wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct).ResponseAsync, error);
    }
}
