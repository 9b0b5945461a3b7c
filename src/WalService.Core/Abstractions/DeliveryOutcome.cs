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

public readonly record struct DeliveryOutcome(DeliveryVerdict Verdict, string? Error = null)
{
    public static DeliveryOutcome Applied { get; } = new(DeliveryVerdict.Applied);

    public static DeliveryOutcome Retry(string error) => new(DeliveryVerdict.Retry, error);

    public static DeliveryOutcome DeadLetter(string error) => new(DeliveryVerdict.DeadLetter, error);
}
