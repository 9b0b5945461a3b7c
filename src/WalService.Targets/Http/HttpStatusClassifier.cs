using System.Net.Http.Headers;
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

    /// <summary>
    /// How long a 429 or 503 asks the caller to hold off through <c>Retry-After</c> (seconds or an HTTP date), counted from
    /// <paramref name="now"/>; null for another status, no header or a time already past.
    /// </summary>
    public static TimeSpan? RetryAfter(int status, RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (status is not (429 or 503) || header is null)
        {
            return null;
        }

        var wait = header.Delta ?? header.Date - now;
        return wait > TimeSpan.Zero ? wait : null;
    }
}
