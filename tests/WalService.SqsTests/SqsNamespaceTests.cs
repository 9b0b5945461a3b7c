using System.Text;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using WalService.Api.V1;
using WalService.Client;

namespace WalService.SqsTests;

/// <summary>Idempotency, batches, queues and validation of SQS namespaces.</summary>
public sealed class SqsNamespaceTests(SqsServer server) : SqsServerTest(server), IClassFixture<SqsServer>
{
    [Fact]
    public async Task CreatingANamespaceCreatesItsQueueAndDeadLetterQueue()
    {
        var ns = await CreateAsync(SqsNamespace(Target.Url("/ok")));

        var queue = await Server.Client.GetQueueUrlAsync(QueueOf(ns), Ct);
        var dlq = await Server.Client.GetQueueUrlAsync(DlqOf(ns), Ct);

        Assert.EndsWith(QueueOf(ns), queue.QueueUrl, StringComparison.Ordinal);
        Assert.EndsWith(DlqOf(ns), dlq.QueueUrl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APayloadLimitAboveWhatAnSqsMessageCarriesIsAnInvalidArgumentNamingTheLimit()
    {
        var config = SqsNamespace(Target.Url("/ok"));
        config.MaxPayloadBytes = 1024 * 1024;

        await AssertRpcErrorAsync(
            StatusCode.InvalidArgument,
            () => Wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct).ResponseAsync,
            "config.max_payload_bytes 1048576 is more than an SQS message carries: at most 184320");
    }

    [Fact]
    public async Task WithoutAPayloadLimitA200KiBWriteIsRefusedNamingTheSqsLimitAndA100KiBWriteIsDelivered()
    {
        var ns = await CreateAsync(SqsNamespace(Target.Url("/ok")));
        var small = new string('s', 100 * 1024);

        await AssertRpcErrorAsync(
            StatusCode.InvalidArgument,
            () => Wal.WriteAsync(ns.Name, new byte[200 * 1024], cancellationToken: Ct),
            "allows max_payload_bytes=184320");
        var id = await WriteDurableAsync(ns.Name, small);
        var received = await Target.WaitForAppliedAsync(id, Deadline);

        Assert.Equal(small, Encoding.UTF8.GetString(received.Body));
    }

    [Fact]
    public async Task TheCreatedQueueRedrivesToItsDeadLetterQueueAfterTheBackstopReceiveCount()
    {
        var ns = await CreateAsync(SqsNamespace(Target.Url("/ok")));

        var queue = await Server.Client.GetQueueUrlAsync(QueueOf(ns), Ct);
        var dlq = await Server.Client.GetQueueUrlAsync(DlqOf(ns), Ct);
        var attributes = await Server.Client.GetQueueAttributesAsync(queue.QueueUrl, ["RedrivePolicy"], Ct);
        var dlqArn = (await Server.Client.GetQueueAttributesAsync(dlq.QueueUrl, ["QueueArn"], Ct)).QueueARN;
        using var policy = JsonDocument.Parse(attributes.Attributes["RedrivePolicy"]);

        Assert.Equal(dlqArn, policy.RootElement.GetProperty("deadLetterTargetArn").GetString());
        Assert.Equal("100", policy.RootElement.GetProperty("maxReceiveCount").ToString());
    }

    [Fact]
    public async Task IdempotentRepeatReturnsTheFirstIdAndDeliversOnce()
    {
        var ns = await CreateConsumingAsync(SqsNamespace(Target.Url("/ok")));
        var options = new WalWriteOptions { IdempotencyKey = "order-42" };

        var first = await WriteDurableAsync(ns.Name, "once", options);
        var second = await WriteDurableAsync(ns.Name, "once", options);
        await Target.WaitForAppliedAsync(first, Deadline);
        var third = await WriteDurableAsync(ns.Name, "once", options);
        var marker = await WriteDurableAsync(ns.Name, "after");
        await Target.WaitForAppliedAsync(marker, Deadline);

        Assert.Equal(first, second);
        Assert.Equal(first, third);
        Assert.Single(Target.Received, r => Encoding.UTF8.GetString(r.Body) == "once");
    }

    [Fact]
    public async Task EveryEntryOfABatchOf30IsDurableAndApplied()
    {
        var ns = await CreateAsync(SqsNamespace(Target.Url("/ok")));
        var request = new WriteToLogBatchRequest();
        for (var i = 0; i < 30; i++)
        {
            request.Entries.Add(new WriteToLogRequest { Namespace = ns.Name, Payload = Google.Protobuf.ByteString.CopyFromUtf8($"m{i}") });
        }

        var response = await Wal.Log.WriteToLogBatchAsync(request, cancellationToken: Ct);
        foreach (var result in response.Results)
        {
            await WaitForStateAsync(ns.Name, result.MessageId, MessageState.Applied);
        }

        Assert.All(response.Results, r => Assert.Equal(Trilean.True, r.Durable));
        Assert.Equal(30, response.Results.Select(r => r.MessageId).Distinct().Count());
        Assert.All(response.Results, r => Assert.Single(Target.For(r.MessageId)));
    }

    [Theory]
    [InlineData("has.dot", "config.sqs.queue_name")]
    [InlineData("", "config.sqs.dlq_queue_name")]
    public async Task AnIllegalQueueNameIsRefusedNamingItsField(string queue, string field)
    {
        var config = SqsNamespace(Target.Url("/ok"));
        config.Sqs = queue.Length > 0 ? new SqsBackend { QueueName = queue } : new SqsBackend { DlqQueueName = new string('q', 81) };

        await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => Wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct).ResponseAsync, field);
    }

    [Fact]
    public async Task OutOfRangeSettingsAreRefusedNamingTheirFields()
    {
        var config = SqsNamespace(Target.Url("/ok"), maxAttempts: 100);
        config.Sqs = new SqsBackend { MaxMessagesPerPoll = 11, PollInterval = Duration.FromTimeSpan(TimeSpan.FromSeconds(21)) };

        var error = await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => Wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct).ResponseAsync, "config.sqs.max_messages_per_poll");

        Assert.Contains("config.sqs.poll_interval", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("config.retry.max_attempts must be below Wal:Sqs:BackstopReceiveCount (100)", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PausedNamespaceTakesWritesButDeliversOnlyAfterResume()
    {
        var ns = await CreateConsumingAsync(SqsNamespace(Target.Url("/ok")));
        var marker = await CreateConsumingAsync(SqsNamespace(Target.Url("/ok")));

        await Wal.Admin.PauseNamespaceAsync(new PauseNamespaceRequest { Name = ns.Name }, cancellationToken: Ct);
        var id = await WriteDurableAsync(ns.Name, "held");
        await Target.WaitForAppliedAsync(await WriteDurableAsync(marker.Name, "marker"), Deadline);
        Assert.Empty(Target.For(id));
        Assert.Equal(MessageState.Pending, (await Wal.GetStatusAsync(ns.Name, id, Ct)).State);

        await Wal.Admin.ResumeNamespaceAsync(new ResumeNamespaceRequest { Name = ns.Name }, cancellationToken: Ct);
        await Target.WaitForAppliedAsync(id, Deadline);
        await WaitForStateAsync(ns.Name, id, MessageState.Applied);
    }
}
