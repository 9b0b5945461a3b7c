using System.Security.Cryptography;
using System.Text;
using WalService.Core.Model;

namespace WalService.Sqs;

/// <summary>
/// The message group and deduplication ids of a message on a FIFO queue. SQS takes 1-128 printable ASCII characters;
/// a key outside that (the service allows 512 characters of any kind) is replaced by the hex of its SHA-256.
/// </summary>
internal static class SqsIds
{
    private const int MaxLength = 128;

    /// <summary>
    /// The ordering key (within its region, for a replica), else the message id: messages without a key are groups of
    /// their own, in no order.
    /// </summary>
    public static string GroupId(Envelope envelope) => Fit(Or(Replicas.OrderingScope(envelope.Meta), envelope.MessageId));

    /// <summary>The idempotency key, else the message id.</summary>
    public static string DeduplicationId(Envelope envelope) => Fit(Or(envelope.Meta.IdempotencyKey, envelope.MessageId));

    /// <summary>The key itself when SQS takes it, else the hex of its SHA-256 (64 characters).</summary>
    public static string Fit(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Length <= MaxLength && key.All(c => c is >= '!' and <= '~')
            ? key
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    private static string Or(string value, string fallback) => string.IsNullOrEmpty(value) ? fallback : value;
}
