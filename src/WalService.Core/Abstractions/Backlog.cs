namespace WalService.Core.Abstractions;

/// <summary>How much work one namespace has, for metrics and operators.</summary>
/// <param name="Pending">Due now, waiting for a worker (retries whose time has come included).</param>
/// <param name="Delayed">Not due yet (first delivery or retry).</param>
/// <param name="InFlight">Leased to a worker.</param>
/// <param name="DeadLetters">In the dead-letter queue.</param>
/// <param name="OldestDue">Due time of the oldest message that is due and not leased.</param>
public readonly record struct Backlog(long Pending, long Delayed, long InFlight, long DeadLetters, DateTimeOffset? OldestDue);
