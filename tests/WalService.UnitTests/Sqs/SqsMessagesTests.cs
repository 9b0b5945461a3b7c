using Amazon.SQS.Model;
using WalService.Core.Model.Storage;
using WalService.Core.Model;
using WalService.Sqs;

namespace WalService.UnitTests.Sqs;

public sealed class SqsMessagesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(1, 3, 3)]
    [InlineData(2, 1, 2)]
    [InlineData(2, 2, 3)]
    public void OnAStandardQueueEachReceiveBeforeThisOneIsAnAttempt(int envelopeAttempt, int receives, int expected)
    {
        var attempt = SqsMessages.Attempt(Envelope(envelopeAttempt, Now.AddHours(1)), Received(receives, Now), fifo: false, Hold);

        Assert.Equal(expected, attempt);
    }

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(4, 2, 2)]
    [InlineData(10, 2, 1)]
    [InlineData(10, 4, 3)]
    [InlineData(30 * 3600, 4, 1)]
    public void OnAFifoQueueReceivesBeforeTheMessageWasDueAreNotAttempts(int dueSecondsAfterFirstReceive, int receives, int expected)
    {
        var envelope = Envelope(1, Now.AddSeconds(dueSecondsAfterFirstReceive));

        var attempt = SqsMessages.Attempt(envelope, Received(receives, Now), fifo: true, Hold);

        Assert.Equal(expected, attempt);
    }

    [Fact]
    public void KeysSqsTakesAreIdsAsTheyAreAndOthersAreHashed()
    {
        var longKey = new string('k', 129);

        Assert.Equal("order-42:eu/1", SqsIds.Fit("order-42:eu/1"));
        Assert.Equal(64, SqsIds.Fit(longKey).Length);
        Assert.Equal(SqsIds.Fit(longKey), SqsIds.Fit(longKey));
        Assert.NotEqual(SqsIds.Fit("with space"), SqsIds.Fit("with-space"));
        Assert.Matches("^[0-9a-f]{64}$", SqsIds.Fit("ключ"));
    }

    [Fact]
    public void WithoutKeysGroupAndDeduplicationIdsAreTheMessageId()
    {
        var keyed = new Envelope(new EnvelopeMeta { MessageId = "m1", OrderingKey = "customer-1", IdempotencyKey = "order-42" }, ReadOnlyMemory<byte>.Empty);
        var plain = new Envelope(new EnvelopeMeta { MessageId = "m2" }, ReadOnlyMemory<byte>.Empty);

        Assert.Equal(("customer-1", "order-42"), (SqsIds.GroupId(keyed), SqsIds.DeduplicationId(keyed)));
        Assert.Equal(("m2", "m2"), (SqsIds.GroupId(plain), SqsIds.DeduplicationId(plain)));
    }

    private static Envelope Envelope(int attempt, DateTimeOffset deliverAt) =>
        new(new EnvelopeMeta { MessageId = "m", Attempt = attempt, DeliverAtMs = deliverAt.ToUnixTimeMilliseconds() }, ReadOnlyMemory<byte>.Empty);

    private static Message Received(int receives, DateTimeOffset firstReceivedAt) => new()
    {
        Attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ApproximateReceiveCount"] = receives.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ApproximateFirstReceiveTimestamp"] = firstReceivedAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
    };
}
