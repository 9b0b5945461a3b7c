using WalService.Core.Model.Storage;
using WalService.Api.V1;
using WalService.Core.Model;

namespace WalService.UnitTests;

public sealed class EnvelopeCodecTests
{
    [Fact]
    public void MetadataRoundTripsEveryField()
    {
        var meta = new EnvelopeMeta
        {
            MessageId = "01JABCDEFGHJKMNPQRSTVWXYZ0",
            Namespace = "orders",
            DeliverAtMs = 1_700_000_000_123,
            Attempt = 3,
            OriginalWriteTimeMs = 1_700_000_000_000,
            OrderingKey = "customer-7",
            IdempotencyKey = "req-42",
            TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            Target = new Target { Http = new HttpTarget { Url = "http://127.0.0.1/x" } },
        };
        meta.Headers.Add("tenant", "eu");
        meta.Headers.Add("empty", string.Empty);

        var decoded = EnvelopeCodec.DecodeMeta(EnvelopeCodec.EncodeMeta(meta));

        Assert.Equal(meta, decoded);
    }

    [Fact]
    public void EnvelopeExposesTimesFromMetadata()
    {
        var envelope = new Envelope(new EnvelopeMeta { DeliverAtMs = 2_000, OriginalWriteTimeMs = 1_000 }, new byte[] { 1, 2 });

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(2_000), envelope.DeliverAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_000), envelope.OriginalWriteTime);
        Assert.Equal(new byte[] { 1, 2 }, envelope.Payload.ToArray());
    }
}
