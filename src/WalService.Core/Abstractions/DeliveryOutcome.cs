namespace WalService.Core.Abstractions;

/// <summary>How a delivery ended (docs/api.md "Targets").</summary>
public enum DeliveryVerdict
{
    /// <summary>The target took the message.</summary>
    Applied,

    /// <summary>A transient failure: back off and try again.</summary>
    Retry,

    /// <summary>A permanent failure: trying again cannot help.</summary>
    DeadLetter,
}

/// <param name="Verdict">Applied, retry or dead-letter.</param>
/// <param name="Error">Why, when not applied.</param>
/// <param name="RetryAfter">
/// For a retry the target asked to hold off (a pushback): the next attempt comes no sooner than this after the failure,
/// however short the backoff; capped at the namespace's <c>max_backoff</c>. Null when the target said nothing.
/// </param>
public readonly record struct DeliveryOutcome(DeliveryVerdict Verdict, string? Error = null, TimeSpan? RetryAfter = null)
{
    public static DeliveryOutcome Applied { get; } = new(DeliveryVerdict.Applied);

    public static DeliveryOutcome Retry(string error) => new(DeliveryVerdict.Retry, error);

    /// <summary>A retry not before <paramref name="retryAfter"/> has passed (see <see cref="RetryAfter"/>).</summary>
    public static DeliveryOutcome Retry(string error, TimeSpan retryAfter) => new(DeliveryVerdict.Retry, error, retryAfter);

    public static DeliveryOutcome DeadLetter(string error) => new(DeliveryVerdict.DeadLetter, error);
}
