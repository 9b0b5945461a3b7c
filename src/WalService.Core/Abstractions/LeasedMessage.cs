using WalService.Core.Model;

namespace WalService.Core.Abstractions;

/// <summary>
/// A due message handed to the runtime. Until it is acknowledged, retried or dead-lettered, or its lease expires,
/// no other worker sees it.
/// </summary>
/// <param name="Envelope">The message.</param>
/// <param name="Attempt">The attempt this delivery is, 1-based.</param>
/// <param name="LeaseToken">Backend-specific proof of the lease (embedded: the lease generation).</param>
public sealed record LeasedMessage(Envelope Envelope, int Attempt, long LeaseToken);
