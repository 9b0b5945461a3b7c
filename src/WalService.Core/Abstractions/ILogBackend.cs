using WalService.Core.Model;

namespace WalService.Core.Abstractions;

/// <summary>
/// A log backend: the producer, the consumer (a subscription per namespace), the dead-letter queue, the message ledger,
/// the staged chunks of transactions, and the per-namespace administration and housekeeping the control plane needs. Each part is its own interface, so a
/// caller can depend on the part it uses.
/// </summary>
public interface ILogBackend : ILogProducer, ILogConsumer, IDeadLetterStore, IMessageLedger, IStagedChunks, ILogAdmin, ILogHousekeeping
{
    BackendKind Kind { get; }
}
