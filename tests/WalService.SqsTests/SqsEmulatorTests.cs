using System.Diagnostics;
using Amazon.SQS;
using Amazon.SQS.Model;
using WalService.LocalBackends;
using WalService.TestSupport;

namespace WalService.SqsTests;

/// <summary>One SQS emulator for the tests of <see cref="SqsEmulatorTests"/>; each test makes queues of its own.</summary>
public sealed class SqsEmulatorFixture : IAsyncLifetime
{
    public SqsEmulator Emulator { get; private set; } = null!;

    public AmazonSQSClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Emulator = await SqsEmulator.StartAsync();
        Client = Emulator.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Emulator.DisposeAsync();
    }
}

/// <summary>
/// The SQS behaviour the SQS backend relies on, checked against the real emulator (fauxqs) through AWSSDK.SQS v4:
/// batches with attributes and per-message delays, long polls, receive counts, visibility, deletes, and redrive to a
/// dead-letter queue. AWSSDK v4 answers <c>null</c>, not an empty list or dictionary, where there is nothing
/// (<see cref="ReceiveMessageResponse.Messages"/>, <see cref="SendMessageBatchResponse.Failed"/>,
/// <see cref="Message.MessageAttributes"/>); these tests read them through <c>?? []</c>.
/// </summary>
public sealed class SqsEmulatorTests(SqsEmulatorFixture fixture) : IClassFixture<SqsEmulatorFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private readonly AmazonSQSClient _sqs = fixture.Client;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ABatchCarriesAttributesAndADelayedEntryIsNotReceivedBeforeItsDelay()
    {
        var queue = await CreateQueueAsync("batch");
        var delay = TimeSpan.FromSeconds(4);
        var clock = Stopwatch.StartNew();

        var sent = await _sqs.SendMessageBatchAsync(
            new SendMessageBatchRequest
            {
                QueueUrl = queue,
                Entries =
                [
                    new SendMessageBatchRequestEntry
                    {
                        Id = "now",
                        MessageBody = "payload-now",
                        MessageAttributes = new()
                        {
                            ["wal-message-id"] = new MessageAttributeValue { DataType = "String", StringValue = "m-1" },
                            ["wal-attempt"] = new MessageAttributeValue { DataType = "Number", StringValue = "1" },
                        },
                    },
                    new SendMessageBatchRequestEntry { Id = "later", MessageBody = "payload-later", DelaySeconds = (int)delay.TotalSeconds },
                ],
            },
            Ct);

        // AWSSDK v4: Failed is null, not empty, when every entry succeeded.
        Assert.Empty(sent.Failed ?? []);
        Assert.Equal(["later", "now"], (sent.Successful ?? []).Select(s => s.Id).Order(StringComparer.Ordinal));

        var first = await ReceiveAsync(queue, waitSeconds: 1);
        var now = Assert.Single(first);
        Assert.Equal("payload-now", now.Body);
        var attributes = now.MessageAttributes ?? [];
        Assert.Equal("m-1", attributes["wal-message-id"].StringValue);
        Assert.Equal("String", attributes["wal-message-id"].DataType);
        Assert.Equal("1", attributes["wal-attempt"].StringValue);
        Assert.Equal("Number", attributes["wal-attempt"].DataType);
        Assert.Equal("1", now.Attributes[MessageSystemAttributeName.ApproximateReceiveCount]);

        var early = await ReceiveAsync(queue, waitSeconds: 1);
        Assert.True(clock.Elapsed < delay, $"this check must end before the delay ({clock.Elapsed} elapsed)");
        Assert.Empty(early);

        var later = await Eventually.WaitAsync(async () => (await ReceiveAsync(queue, waitSeconds: 1)).SingleOrDefault(), Deadline, "the delayed entry");
        Assert.True(clock.Elapsed >= delay, $"received after {clock.Elapsed}, before its delay of {delay}");
        Assert.Equal("payload-later", later.Body);
        Assert.Empty(later.MessageAttributes ?? []);
    }

    [Fact]
    public async Task ALongPollWaitsOnAnEmptyQueueAndAnswersAsSoonAsAMessageArrives()
    {
        var queue = await CreateQueueAsync("longpoll");

        var clock = Stopwatch.StartNew();
        var empty = await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queue, WaitTimeSeconds = 1 }, Ct);
        // AWSSDK v4: Messages is null, not empty, when nothing was received.
        Assert.Null(empty.Messages);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"an empty long poll answered after {clock.Elapsed}");

        clock.Restart();
        var poll = ReceiveAsync(queue, waitSeconds: 10);
        await Eventually.WaitAsync(() => clock.Elapsed > TimeSpan.FromMilliseconds(300), Deadline, "the poll to be waiting");
        Assert.False(poll.IsCompleted, "the long poll answered before a message was sent");
        await _sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = "arrived" }, Ct);

        var message = Assert.Single(await poll);
        Assert.Equal("arrived", message.Body);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the long poll answered after {clock.Elapsed}");
    }

    [Fact]
    public async Task AMessageMadeVisibleAgainIsReceivedAgainWithItsCountAndADeletedOneIsGone()
    {
        var queue = await CreateQueueAsync("visibility", new() { [QueueAttributeName.VisibilityTimeout] = "30" });
        await _sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = "once" }, Ct);

        var first = Assert.Single(await ReceiveAsync(queue, waitSeconds: 1));
        Assert.Equal("1", first.Attributes[MessageSystemAttributeName.ApproximateReceiveCount]);
        Assert.Empty(await ReceiveAsync(queue, waitSeconds: 1));

        await _sqs.ChangeMessageVisibilityAsync(new ChangeMessageVisibilityRequest { QueueUrl = queue, ReceiptHandle = first.ReceiptHandle, VisibilityTimeout = 0 }, Ct);
        var second = Assert.Single(await ReceiveAsync(queue, waitSeconds: 1));
        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal("once", second.Body);
        Assert.Equal("2", second.Attributes[MessageSystemAttributeName.ApproximateReceiveCount]);

        await _sqs.DeleteMessageAsync(new DeleteMessageRequest { QueueUrl = queue, ReceiptHandle = second.ReceiptHandle }, Ct);
        Assert.Empty(await ReceiveAsync(queue, waitSeconds: 1));
        // Not merely in flight: the queue holds nothing at all.
        Assert.Equal(0, await CountAsync(queue));
    }

    [Fact]
    public async Task AfterMaxReceiveCountReceivesWithoutADeleteTheMessageLandsInTheDeadLetterQueue()
    {
        var dlq = await CreateQueueAsync("dlq");
        var dlqArn = (await _sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = dlq, AttributeNames = [QueueAttributeName.QueueArn] }, Ct)).QueueARN;
        Assert.False(string.IsNullOrEmpty(dlqArn));
        var redrive = $$"""{"deadLetterTargetArn":"{{dlqArn}}","maxReceiveCount":"2"}""";
        var queue = await CreateQueueAsync("main", new() { [QueueAttributeName.VisibilityTimeout] = "30", [QueueAttributeName.RedrivePolicy] = redrive });
        var policy = (await _sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = queue, AttributeNames = [QueueAttributeName.RedrivePolicy] }, Ct)).Attributes;
        Assert.Contains(dlqArn, policy[QueueAttributeName.RedrivePolicy], StringComparison.Ordinal);

        var sent = await _sqs.SendMessageAsync(
            new SendMessageRequest
            {
                QueueUrl = queue,
                MessageBody = "poison",
                MessageAttributes = new() { ["wal-message-id"] = new MessageAttributeValue { DataType = "String", StringValue = "m-poison" } },
            },
            Ct);

        for (var receive = 1; receive <= 2; receive++)
        {
            var message = Assert.Single(await ReceiveAsync(queue, waitSeconds: 1));
            Assert.Equal(sent.MessageId, message.MessageId);
            Assert.Equal(receive.ToString(System.Globalization.CultureInfo.InvariantCulture), message.Attributes[MessageSystemAttributeName.ApproximateReceiveCount]);
            await _sqs.ChangeMessageVisibilityAsync(new ChangeMessageVisibilityRequest { QueueUrl = queue, ReceiptHandle = message.ReceiptHandle, VisibilityTimeout = 0 }, Ct);
        }

        Assert.Empty(await ReceiveAsync(queue, waitSeconds: 1));
        var dead = await Eventually.WaitAsync(async () => (await ReceiveAsync(dlq, waitSeconds: 1)).SingleOrDefault(), Deadline, "the message in the dead-letter queue");
        Assert.Equal(sent.MessageId, dead.MessageId);
        Assert.Equal("poison", dead.Body);
        Assert.Equal("m-poison", (dead.MessageAttributes ?? [])["wal-message-id"].StringValue);
        Assert.Equal(0, await CountAsync(queue));
    }

    private async Task<string> CreateQueueAsync(string name, Dictionary<string, string>? attributes = null)
    {
        var created = await _sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = $"{name}-{Guid.NewGuid():N}", Attributes = attributes }, Ct);
        Assert.False(string.IsNullOrEmpty(created.QueueUrl));
        return created.QueueUrl;
    }

    /// <summary>Receives up to 10 messages with every message attribute and the receive count; empty, never null.</summary>
    private async Task<List<Message>> ReceiveAsync(string queue, int waitSeconds)
    {
        var response = await _sqs.ReceiveMessageAsync(
            new ReceiveMessageRequest
            {
                QueueUrl = queue,
                MaxNumberOfMessages = 10,
                WaitTimeSeconds = waitSeconds,
                MessageAttributeNames = ["All"],
                MessageSystemAttributeNames = [MessageSystemAttributeName.ApproximateReceiveCount],
            },
            Ct);

        // AWSSDK v4: Messages is null, not an empty list, when the poll ends with nothing.
        return response.Messages ?? [];
    }

    /// <summary>Visible plus in-flight plus delayed messages: zero once a queue holds nothing at all.</summary>
    private async Task<int> CountAsync(string queue)
    {
        var attributes = await _sqs.GetQueueAttributesAsync(
            new GetQueueAttributesRequest
            {
                QueueUrl = queue,
                AttributeNames = [QueueAttributeName.ApproximateNumberOfMessages, QueueAttributeName.ApproximateNumberOfMessagesNotVisible, QueueAttributeName.ApproximateNumberOfMessagesDelayed],
            },
            Ct);
        return attributes.ApproximateNumberOfMessages + attributes.ApproximateNumberOfMessagesNotVisible + attributes.ApproximateNumberOfMessagesDelayed;
    }
}
