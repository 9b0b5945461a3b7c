namespace WalService.Core.Model;

/// <summary>A namespace's retry policy with every default filled in.</summary>
/// <param name="MaxAttempts">Deliveries tried before dead-lettering, the first included.</param>
/// <param name="InitialBackoff">Wait before the second attempt.</param>
/// <param name="MaxBackoff">Upper bound of any wait.</param>
/// <param name="Multiplier">Growth of the wait from one attempt to the next.</param>
/// <param name="Jitter">Fraction (0..1) by which a wait is spread at random either way.</param>
public sealed record RetrySettings(
    int MaxAttempts,
    TimeSpan InitialBackoff,
    TimeSpan MaxBackoff,
    double Multiplier,
    double Jitter)
{
    public static RetrySettings Default { get; } = new(8, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), 2.0, 0.2);
}
