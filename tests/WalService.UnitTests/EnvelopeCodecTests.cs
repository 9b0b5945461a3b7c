using WalService.Core.Model.Storage;
using WalService.Core.Model;

namespace WalService.UnitTests;

public sealed class EnvelopeCodecTests
{
    [Fact]
    public void MetadataRoundTripsEveryField()
    {
        var meta = SampleEnvelopes.EveryField();
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
