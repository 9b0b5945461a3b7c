using Amazon.SQS.Model;
using WalService.Api.V1;
using WalService.TestSupport;

namespace WalService.SqsTests;

/// <summary>
/// The dead-letter queue kept in step with the archive, on a <see cref="BackstopSqsServer"/>: SQS moves a message to
/// the dead-letter queue after its third receive, so a test can make it do so.
/// </summary>
public sealed class SqsDeadLetterQueueTests(BackstopSqsServer server) : SqsServerTest(server), IClassFixture<BackstopSqsServer>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ARedriveAndAPurgeTakeTheirCopiesOutOfTheDeadLetterQueue(bool fifo)
    {
        var ns = await CreateAsync(SqsNamespace(Target.Url("/switch"), maxAttempts: 1, fifo: fifo));
        Target.SwitchStatus = 400;
        var redriven = await WriteDurableAsync(ns.Name, "redriven");
        var purged = await WriteDurableAsync(ns.Name, "purged");
        await WaitForStateAsync(ns.Name, redriven, MessageState.DeadLettered);
        await WaitForStateAsync(ns.Name, purged, MessageState.DeadLettered);
        var before = await CountAsync(DlqOf(ns));

        Target.SwitchStatus = 200;
        await Wal.Admin.RedriveDeadLettersAsync(new RedriveDeadLettersRequest { Namespace = ns.Name, MessageIds = { redriven } }, cancellationToken: Ct);
        await Wal.Admin.PurgeDeadLettersAsync(new PurgeDeadLettersRequest { Namespace = ns.Name, MessageIds = { purged } }, cancellationToken: Ct);
        await Target.WaitForAppliedAsync(redriven, Deadline);

        Assert.Equal(2, before);
        Assert.Equal(0, await CountAsync(DlqOf(ns)));
        Assert.Empty((await Wal.Admin.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = ns.Name }, cancellationToken: Ct)).DeadLetters);
    }

    [Fact]
    public async Task AMessageSqsMovedToTheDeadLetterQueueIsListedWithWhyAndCanBeRedriven()
    {
        var ns = await CreateConsumingAsync(SqsNamespace(Target.Url("/ok"), maxAttempts: 2));
        await Wal.Admin.PauseNamespaceAsync(new PauseNamespaceRequest { Name = ns.Name }, cancellationToken: Ct);
        var id = await WriteDurableAsync(ns.Name, "stuck");
        await ReceiveUntilMovedAsync(QueueOf(ns), DlqOf(ns));

        var listed = await Wal.Admin.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = ns.Name }, cancellationToken: Ct);
        var copy = await ReceiveOneAsync(DlqOf(ns), id);
        await Server.Client.ChangeMessageVisibilityAsync((await Server.Client.GetQueueUrlAsync(DlqOf(ns), Ct)).QueueUrl, copy.ReceiptHandle, 0, Ct);
        await Wal.Admin.ResumeNamespaceAsync(new ResumeNamespaceRequest { Name = ns.Name }, cancellationToken: Ct);
        var redrive = await Wal.Admin.RedriveDeadLettersAsync(new RedriveDeadLettersRequest { Namespace = ns.Name }, cancellationToken: Ct);
        var applied = await Target.WaitForAppliedAsync(id, Deadline);

        var letter = Assert.Single(listed.DeadLetters);
        Assert.Equal(id, letter.MessageId);
        Assert.Equal("stuck", letter.Payload.ToStringUtf8());
        Assert.Contains("RedrivePolicy", letter.LastError, StringComparison.Ordinal);
        Assert.Contains("RedrivePolicy", copy.MessageAttributes["wal-error"].StringValue, StringComparison.Ordinal);
        Assert.Equal(1, redrive.Redriven);
        Assert.Equal("stuck", System.Text.Encoding.UTF8.GetString(applied.Body));
        Assert.Equal(0, await CountAsync(DlqOf(ns)));
    }

    /// <summary>Receives from <paramref name="queue"/> with a plain client, each message visible again at once, until SQS moved one to <paramref name="dlq"/>.</summary>
    private Task ReceiveUntilMovedAsync(string queue, string dlq) =>
        Eventually.WaitAsync(
            async () =>
            {
                var url = (await Server.Client.GetQueueUrlAsync(queue, Ct)).QueueUrl;
                await Server.Client.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 10, VisibilityTimeout = 0 }, Ct);
                return await CountAsync(dlq) > 0;
            },
            Deadline,
            $"SQS to move the message from {queue} to {dlq}");

    /// <summary>Messages in the queue, visible or not (the emulator's counts are exact).</summary>
    private async Task<long> CountAsync(string queue)
    {
        var url = (await Server.Client.GetQueueUrlAsync(queue, Ct)).QueueUrl;
        var attributes = await Server.Client.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"], Ct);
        return attributes.ApproximateNumberOfMessages + attributes.ApproximateNumberOfMessagesNotVisible;
    }
}

/// <summary>An SQS test server whose queues send a message to their dead-letter queue after three receives.</summary>
public sealed class BackstopSqsServer : SqsServer
{
    public BackstopSqsServer() => Factory.Settings["Wal:Sqs:BackstopReceiveCount"] = "3";
}
