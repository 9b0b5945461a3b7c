using System.Collections.Frozen;
using System.Globalization;
using System.Net.Http.Headers;
using Google.Protobuf.Collections;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Validation;

namespace WalService.Targets.Http;

/// <summary>
/// The POST of one delivery. Headers go in through the validating <see cref="HttpHeaders.Add(string, string)"/> only,
/// in this order: the target's (<c>HttpTarget.headers</c>, whoever administers the namespace), then the message's,
/// except any name the target sets (the target's always win), then the service's <c>wal-*</c>, which replace anything
/// of their name. Headers are checked again against <see cref="HeaderRules"/> here, for messages and namespaces stored
/// before a rule existed: one the rules or the HTTP client refuse dead-letters the message, as no retry can mend it.
/// </summary>
internal static class HttpDeliveryRequest
{
    private static readonly MediaTypeHeaderValue OctetStream = new("application/octet-stream");

    /// <summary>The names .NET keeps on the content rather than the request (<c>content-length</c> is refused by the rules).</summary>
    private static readonly FrozenSet<string> ContentHeaders = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "allow", "content-disposition", "content-encoding", "content-language", "content-location", "content-md5",
        "content-range", "content-type", "expires", "last-modified");

    /// <summary>The request, or null and why it cannot be sent.</summary>
    public static HttpRequestMessage? TryBuild(HttpTarget http, Delivery delivery, out string? error)
    {
        var envelope = delivery.Envelope;
        var request = new HttpRequestMessage(HttpMethod.Post, http.Url) { Content = new ReadOnlyMemoryContent(envelope.Payload) };
        request.Content.Headers.ContentType = OctetStream;
        error = AddAll(request, http.Headers, "target header", HeaderSource.Target, skip: null)
            ?? AddAll(request, envelope.Meta.Headers, "message header", HeaderSource.Message, skip: http.Headers);
        if (error is not null)
        {
            request.Dispose();
            return null;
        }

        Set(request, "wal-message-id", envelope.MessageId);
        Set(request, "wal-namespace", delivery.Namespace);
        Set(request, "wal-attempt", delivery.Attempt.ToString(CultureInfo.InvariantCulture));
        Set(request, "wal-original-write-time", envelope.OriginalWriteTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        if (delivery.Region.Length > 0)
        {
            Set(request, "wal-region", delivery.Region);
        }

        foreach (var (name, value) in delivery.Chunk?.Headers ?? [])
        {
            Set(request, name, value);
        }

        return request;
    }

    private static string? AddAll(HttpRequestMessage request, MapField<string, string> headers, string what, HeaderSource source, MapField<string, string>? skip)
    {
        var skipped = skip is null ? null : new HashSet<string>(skip.Keys, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            if (skipped?.Contains(name) == true)
            {
                continue;
            }

            if ((HeaderRules.CheckName(name, source) ?? HeaderRules.CheckValue(value)) is { } problem)
            {
                return $"{what} '{HeaderRules.Shown(name)}' cannot be sent: {problem}";
            }

            try
            {
                Add(request, name, value);
            }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException)
            {
                return $"{what} '{HeaderRules.Shown(name)}' cannot be sent: {ex.Message}";
            }
        }

        return null;
    }

    private static void Add(HttpRequestMessage request, string name, string value)
    {
        HttpHeaders target = ContentHeaders.Contains(name) ? request.Content!.Headers : request.Headers;
        target.Remove(name);
        target.Add(name, value);
    }

    private static void Set(HttpRequestMessage request, string name, string value)
    {
        request.Headers.Remove(name);
        request.Headers.Add(name, value);
    }
}
