using WalService.Api.V1;

namespace WalService.Core.Abstractions;

/// <summary>
/// Per-message status, kept until the namespace's dedup window has passed. For embedded namespaces it is the log's
/// own table; Kafka and SQS namespaces keep it in the control-plane database.
/// </summary>
public interface IMessageLedger
{
    /// <summary>The message's status at <paramref name="now"/>, or null when it is unknown or older than the window.</summary>
    Task<MessageStatus?> GetStatusAsync(string ns, string messageId, DateTimeOffset now, CancellationToken cancellationToken);
}
