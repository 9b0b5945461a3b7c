using System.Text;
using Confluent.Kafka;
using WalService.Core.Model.Storage;
using WalService.Core.Model;
using WalService.Kafka;

namespace WalService.UnitTests.Kafka;

public sealed class EnvelopeHeadersTests
{
    [Fact]
    public void AnEnvelopeRoundTripsThroughARecord()
    {
        var meta = SampleEnvelopes.EveryField();

        var message = EnvelopeHeaders.ToMessage(new Envelope(meta, new byte[] { 1, 2, 3 }));
        var decoded = EnvelopeHeaders.FromRecord(Record(message), "orders");

        Assert.Equal(meta, decoded.Meta);
        Assert.Equal(new byte[] { 1, 2, 3 }, decoded.Payload.ToArray());
        Assert.Equal("customer-7", Encoding.UTF8.GetString(message.Key));
    }

    [Fact]
    public void AFirstWriteWithoutDelayCarriesOnlyItsIdAndTheWriteTimeAsTimestamp()
    {
        var meta = new EnvelopeMeta { MessageId = "m-1", Namespace = "orders", DeliverAtMs = 1_700_000_000_000, OriginalWriteTimeMs = 1_700_000_000_000 };

        var message = EnvelopeHeaders.ToMessage(new Envelope(meta, new byte[] { 1 }));
        var decoded = EnvelopeHeaders.FromRecord(Record(message), "orders");

        Assert.Equal([EnvelopeHeaders.MessageId], message.Headers.Select(h => h.Key));
        Assert.Equal(1_700_000_000_000, message.Timestamp.UnixTimestampMs);
        Assert.Equal((1_700_000_000_000, 1_700_000_000_000, 1), (decoded.Meta.DeliverAtMs, decoded.Meta.OriginalWriteTimeMs, decoded.Meta.Attempt));
    }

    [Fact]
    public void WithoutAnOrderingKeyTheRecordKeyIsTheMessageId()
    {
        var message = EnvelopeHeaders.ToMessage(new Envelope(new EnvelopeMeta { MessageId = "m-1" }, ReadOnlyMemory<byte>.Empty));

        Assert.Equal("m-1", Encoding.UTF8.GetString(message.Key));
    }

    [Fact]
    public void ExtraHeadersAreAddedAsText()
    {
        var message = EnvelopeHeaders.ToMessage(new Envelope(new EnvelopeMeta { MessageId = "m-1" }, ReadOnlyMemory<byte>.Empty), (EnvelopeHeaders.Error, "HTTP 400"));

        Assert.Equal("HTTP 400", EnvelopeHeaders.Text(message.Headers, EnvelopeHeaders.Error));
    }

    [Fact]
    public void ARecordFromAnotherProducerGetsAnIdFromItsPositionAndIsDueAtItsTimestamp()
    {
        var written = new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
        var message = new Message<byte[], byte[]> { Value = [7], Timestamp = new Timestamp(written) };

        var decoded = EnvelopeHeaders.FromRecord(Record(message), "orders");

        Assert.Equal("wal.orders-2-41", decoded.MessageId);
        Assert.Equal("orders", decoded.Meta.Namespace);
        Assert.Equal(written, decoded.DeliverAt);
        Assert.Equal(1, decoded.Meta.Attempt);
    }

    private static ConsumeResult<byte[], byte[]> Record(Message<byte[], byte[]> message) =>
        new() { Message = message, TopicPartitionOffset = new TopicPartitionOffset("wal.orders", 2, 41) };
}
