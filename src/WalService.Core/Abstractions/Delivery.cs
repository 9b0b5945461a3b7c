using WalService.Core.Model;

namespace WalService.Core.Abstractions;

/// <summary>One attempt to deliver a message.</summary>
/// <param name="Namespace">The namespace the message was written to.</param>
/// <param name="Envelope">The message.</param>
/// <param name="Attempt">1-based.</param>
public sealed record Delivery(string Namespace, Envelope Envelope, int Attempt);
