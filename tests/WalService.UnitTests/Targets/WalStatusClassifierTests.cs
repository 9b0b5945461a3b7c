using Grpc.Core;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Model.Storage;
using WalService.Targets.Wal;

namespace WalService.UnitTests.Targets;

public sealed class WalStatusClassifierTests
{
    [Fact]
    public void DurableTrueIsApplied() =>
        Assert.Equal(DeliveryOutcome.Applied, WalStatusClassifier.Classify(new WriteToLogResponse { Durable = Trilean.True }, "b"));

    [Theory]
    [InlineData(Trilean.False, "FALSE")]
    [InlineData(Trilean.Unknown, "UNKNOWN")]
    [InlineData(Trilean.Unspecified, "UNSPECIFIED")]
    public void DurableOtherThanTrueIsRetriedNamingTheRemoteAndTheAnswer(Trilean durable, string shown)
    {
        var outcome = WalStatusClassifier.Classify(new WriteToLogResponse { Durable = durable, Message = "commit timed out" }, "eu");

        Assert.Equal(DeliveryVerdict.Retry, outcome.Verdict);
        Assert.Equal($"wal remote 'eu' answered durable {shown}: commit timed out", outcome.Error);
    }

    [Theory]
    [InlineData(StatusCode.Unavailable, "UNAVAILABLE")]
    [InlineData(StatusCode.DeadlineExceeded, "DEADLINE_EXCEEDED")]
    [InlineData(StatusCode.Internal, "INTERNAL")]
    [InlineData(StatusCode.Aborted, "ABORTED")]
    [InlineData(StatusCode.ResourceExhausted, "RESOURCE_EXHAUSTED")]
    [InlineData(StatusCode.Unknown, "UNKNOWN")]
    [InlineData(StatusCode.Cancelled, "CANCELLED")]
    [InlineData(StatusCode.DataLoss, "DATA_LOSS")]
    [InlineData(StatusCode.OutOfRange, "OUT_OF_RANGE")]
    [InlineData(StatusCode.AlreadyExists, "ALREADY_EXISTS")]
    public void TransientAndUnlistedStatusesAreRetried(StatusCode code, string name)
    {
        var outcome = WalStatusClassifier.Classify(code, "try later", [], "eu");

        Assert.Equal(DeliveryVerdict.Retry, outcome.Verdict);
        Assert.Equal($"wal remote 'eu' answered {name}: try later", outcome.Error);
        Assert.Null(outcome.RetryAfter);
    }

    [Theory]
    [InlineData(StatusCode.InvalidArgument, "INVALID_ARGUMENT")]
    [InlineData(StatusCode.NotFound, "NOT_FOUND")]
    [InlineData(StatusCode.FailedPrecondition, "FAILED_PRECONDITION")]
    [InlineData(StatusCode.PermissionDenied, "PERMISSION_DENIED")]
    [InlineData(StatusCode.Unauthenticated, "UNAUTHENTICATED")]
    [InlineData(StatusCode.Unimplemented, "UNIMPLEMENTED")]
    public void RefusalsAreDeadLettered(StatusCode code, string name)
    {
        var outcome = WalStatusClassifier.Classify(code, "no", [], "eu");

        Assert.Equal(DeliveryVerdict.DeadLetter, outcome.Verdict);
        Assert.Equal($"wal remote 'eu' answered {name}: no", outcome.Error);
    }

    [Theory]
    [InlineData("retry-after-ms", "1500", 1500)]
    [InlineData("grpc-retry-pushback-ms", "250", 250)]
    public void ResourceExhaustedIsRetriedNotBeforeItsPushback(string trailer, string value, int ms)
    {
        var outcome = WalStatusClassifier.Classify(StatusCode.ResourceExhausted, "rate limited", new Metadata { { trailer, value } }, "eu");

        Assert.Equal(DeliveryVerdict.Retry, outcome.Verdict);
        Assert.Equal(TimeSpan.FromMilliseconds(ms), outcome.RetryAfter);
    }

    [Fact]
    public void TheLongerOfTwoPushbacksCountsAndAMalformedOneIsIgnored()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(900), WalStatusClassifier.Pushback(new Metadata { { "retry-after-ms", "900" }, { "grpc-retry-pushback-ms", "50" } }));
        Assert.Null(WalStatusClassifier.Pushback(new Metadata { { "retry-after-ms", "-1" }, { "grpc-retry-pushback-ms", "soon" } }));
    }

    [Fact]
    public void AChunkGoesAsItsOwnMessageKeyedByItsSequenceWithItsPositionAndTraceAsMetadata()
    {
        var meta = new EnvelopeMeta { MessageId = "01JCHUNKED0000000000000000", OriginalWriteTimeMs = 1_700_000_000_123, OrderingKey = "k", TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
        meta.Headers["x-tenant"] = "acme";
        var delivery = new Delivery("src", new Envelope(meta, "part"u8.ToArray()), 1, new ChunkPosition("tx-9", 2, 5));

        var (request, metadata) = WalTargetHandler.Build(new Api.V1.WalTarget { Endpoint = "b", Namespace = "inbox" }, delivery);

        Assert.Equal("01JCHUNKED0000000000000000:2", request.IdempotencyKey);
        Assert.Null(request.Chunk);
        Assert.Equal(("inbox", "part", "k", "acme"), (request.Namespace, request.Payload.ToStringUtf8(), request.OrderingKey, request.Headers["x-tenant"]));
        Assert.Equal(1_700_000_000_123, request.Lifecycle.OriginalWriteTime.ToDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal(
            [("wal-origin-message-id", meta.MessageId), ("traceparent", meta.TraceParent), ("wal-transaction-id", "tx-9"), ("wal-chunk", "2"), ("wal-chunk-count", "5")],
            metadata.Select(e => (e.Key, e.Value)));
    }

    [Fact]
    public void AMessageForwardedOnceMoreKeepsTheIdItHadWhereItWasFirstWritten()
    {
        var meta = new EnvelopeMeta { MessageId = "01JLOCAL000000000000000000", OriginMessageId = "01JFIRST000000000000000000" };
        var delivery = new Delivery("src", new Envelope(meta, "v"u8.ToArray()), 1);

        var (_, metadata) = WalTargetHandler.Build(new Api.V1.WalTarget { Endpoint = "b", Namespace = "inbox" }, delivery);

        Assert.Equal("01JFIRST000000000000000000", metadata.GetValue("wal-origin-message-id"));
    }
}
