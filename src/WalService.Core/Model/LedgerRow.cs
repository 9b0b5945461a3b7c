using System.Data.Common;
using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;

namespace WalService.Core.Model;

/// <summary>
/// The row format every message-ledger table shares: <c>state, attempts, last_error, next_ms, applied_ms</c>, times in
/// Unix milliseconds, in that column order.
/// </summary>
public static class LedgerRow
{
    public const string Columns = "state, attempts, last_error, next_ms, applied_ms";

    /// <summary>Whether a message in <paramref name="state"/> is done: applied or dead-lettered.</summary>
    public static bool IsFinished(MessageState state) => state is MessageState.Applied or MessageState.DeadLettered;

    /// <summary>The status on the reader's next row, or null when it has none.</summary>
    public static async Task<MessageStatus?> ReadStatusAsync(DbDataReader reader, string messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return await reader.ReadAsync(cancellationToken) ? ToStatus(reader, messageId) : null;
    }

    private static MessageStatus ToStatus(DbDataReader reader, string messageId)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new MessageStatus
        {
            MessageId = messageId,
            State = (MessageState)reader.GetInt32(0),
            Attempts = reader.GetInt32(1),
            LastError = reader.IsDBNull(2) ? string.Empty : reader.GetString(2),
            NextAttemptAt = reader.IsDBNull(3) ? null : Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))),
            AppliedAt = reader.IsDBNull(4) ? null : Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))),
        };
    }
}
