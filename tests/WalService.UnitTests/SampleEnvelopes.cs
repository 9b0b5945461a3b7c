using WalService.Core.Model.Storage;
using WalService.Api.V1;

namespace WalService.UnitTests;

/// <summary>Envelope metadata for round-trip tests.</summary>
internal static class SampleEnvelopes
{
    /// <summary>Metadata with every field set: an ordering key <c>customer-7</c>, an HTTP target and the header <c>tenant: eu</c>.</summary>
    public static EnvelopeMeta EveryField()
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
        return meta;
    }
}
