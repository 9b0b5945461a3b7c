using System.Text;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using WalService.Api.V1;
using WalService.Client;

namespace WalService.SqsTests;

/// <summary>Queues, payload limits and validation of SQS namespaces (idempotency, batches and pause are in <see cref="SqsAcceptanceTests"/>).</summary>
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
}
