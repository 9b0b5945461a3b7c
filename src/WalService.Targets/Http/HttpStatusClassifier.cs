using WalService.Core.Abstractions;

namespace WalService.Targets.Http;

/// <summary>The mapping of an HTTP target's answer (docs/api.md "http") to a delivery verdict.</summary>
public static class HttpStatusClassifier
{
    /// <summary>2xx and 409 = applied; 408, 425, 429 and 5xx = retry; any other status = dead-letter.</summary>
    public static DeliveryVerdict Classify(int status) => status switch
    {
        >= 200 and < 300 or 409 => DeliveryVerdict.Applied,
        408 or 425 or 429 or >= 500 => DeliveryVerdict.Retry,
        _ => DeliveryVerdict.DeadLetter,
    };
}
