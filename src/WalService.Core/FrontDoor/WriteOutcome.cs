using WalService.Api.V1;

namespace WalService.Core.FrontDoor;

/// <summary>The answer to one write, and for RESOURCE_EXHAUSTED when to retry.</summary>
public readonly record struct WriteOutcome(WriteToLogResponse Response, TimeSpan? RetryAfter = null);
