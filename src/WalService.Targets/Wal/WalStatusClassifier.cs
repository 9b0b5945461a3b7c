using System.Globalization;
using System.Text;
using Grpc.Core;
using WalService.Api.V1;
using WalService.Core.Abstractions;

namespace WalService.Targets.Wal;

/// <summary>The mapping of a remote WalService's answer to <c>WriteToLog</c> (docs/api.md "wal") to a delivery outcome.</summary>
public static class WalStatusClassifier
{
    /// <summary>The trailers that say when a RESOURCE_EXHAUSTED write may be tried again, in milliseconds.</summary>
    public static readonly IReadOnlyList<string> PushbackTrailers = ["retry-after-ms", "grpc-retry-pushback-ms"];

    /// <summary><c>durable</c> TRUE = applied; FALSE, UNKNOWN (and an unset answer) = retry: the remote may take it later.</summary>
    public static DeliveryOutcome Classify(WriteToLogResponse response, string remote)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Durable == Trilean.True
            ? DeliveryOutcome.Applied
            : DeliveryOutcome.Retry($"wal remote '{remote}' answered durable {Name(response.Durable)}: {response.Message}");
    }

    /// <summary>
    /// UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, ABORTED = retry; RESOURCE_EXHAUSTED = retry not before the pushback of
    /// its trailers; INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, PERMISSION_DENIED, UNAUTHENTICATED,
    /// UNIMPLEMENTED = dead-letter (the remote refuses this message or this server, and will again); any other = retry.
    /// </summary>
    public static DeliveryOutcome Classify(StatusCode code, string detail, Metadata trailers, string remote)
    {
        ArgumentNullException.ThrowIfNull(trailers);
        var error = $"wal remote '{remote}' answered {Name(code)}: {detail}";
        return code switch
        {
            StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.FailedPrecondition or StatusCode.PermissionDenied
                or StatusCode.Unauthenticated or StatusCode.Unimplemented => DeliveryOutcome.DeadLetter(error),
            StatusCode.ResourceExhausted when Pushback(trailers) is { } wait => DeliveryOutcome.Retry(error, wait),
            _ => DeliveryOutcome.Retry(error),
        };
    }

    /// <summary>The longest pushback the trailers give, or null when none gives a usable one (a negative one means "do not retry" to gRPC's own retries; the log retries anyway, on its backoff).</summary>
    public static TimeSpan? Pushback(Metadata trailers)
    {
        ArgumentNullException.ThrowIfNull(trailers);
        TimeSpan? longest = null;
        foreach (var name in PushbackTrailers)
        {
            if (trailers.GetValue(name) is { } text && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= int.MaxValue
                && (longest is null || ms > longest.Value.TotalMilliseconds))
            {
                longest = TimeSpan.FromMilliseconds(ms);
            }
        }

        return longest;
    }

    /// <summary>A status code as gRPC spells it: <c>RESOURCE_EXHAUSTED</c>.</summary>
    public static string Name(StatusCode code)
    {
        if (code == StatusCode.OK)
        {
            return "OK";
        }

        var text = code.ToString();
        var name = new StringBuilder(text.Length + 4);
        foreach (var c in text)
        {
            if (char.IsUpper(c) && name.Length > 0)
            {
                name.Append('_');
            }

            name.Append(char.ToUpperInvariant(c));
        }

        return name.ToString();
    }

    private static string Name(Trilean durable) => durable switch
    {
        Trilean.False => "FALSE",
        Trilean.Unknown => "UNKNOWN",
        _ => "UNSPECIFIED",
    };
}
