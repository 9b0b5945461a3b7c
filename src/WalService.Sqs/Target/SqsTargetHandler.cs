using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Validation;

namespace WalService.Sqs.Targets;

/// <summary>
/// Sends the payload to an application's standard queue, <c>SqsTarget.queue_name</c>, on the endpoint of
/// <c>Wal:Sqs</c>. The body is the payload as text when it is valid UTF-8 made only of characters SQS takes in a body
/// (tab, line feed, carriage return, U+0020 and above except U+FFFE and U+FFFF); any other payload is sent
/// base64-encoded with the attribute <c>wal-encoding: base64</c>. An empty payload cannot be a body and is
/// dead-lettered. The String attributes are <c>wal-message-id</c>, <c>wal-namespace</c>, <c>wal-attempt</c> (1-based)
/// and <c>wal-original-write-time</c> (RFC 3339), as on an HTTP delivery (and, for a chunk of a transaction,
/// <c>wal-transaction-id</c>, <c>wal-chunk</c> and <c>wal-chunk-count</c>), then the message's headers, one attribute
/// each. SQS takes at most 10 attributes: when the headers do not fit in the rest, or one is not a legal attribute name
/// or has an empty value, all of them travel instead as one JSON object in the attribute <c>wal-headers</c>. A header
/// named <c>wal-*</c> in any case (refused at write, so only in a message stored before that rule) is left out: every
/// <c>wal-*</c> attribute is the service's. A sent message is applied; a missing queue, a message SQS refuses (invalid,
/// too large) or denied access dead-letters it; throttling, a 5xx, a network error or a timeout retries it.
/// </summary>
internal sealed partial class SqsTargetHandler(SqsQueues queues) : ITargetHandler
{
    private const string MessageId = "wal-message-id";
    private const string Namespace = "wal-namespace";
    private const string Attempt = "wal-attempt";
    private const string OriginalWriteTime = "wal-original-write-time";
    private const string Encoding64 = "wal-encoding";
    private const string Headers = "wal-headers";
    private const int MaxAttributes = 10;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly string[] PermanentCodes =
        ["InvalidParameterValue", "MissingParameter", "InvalidMessageContents", "AccessDenied", "AccessDeniedException", "InvalidClientTokenId", "UnsupportedOperation"];

    public Target.KindOneofCase Kind => Target.KindOneofCase.Sqs;

    public IEnumerable<string> Validate(Target target, string fieldPath)
    {
        ArgumentNullException.ThrowIfNull(target);
        var queue = target.Sqs.QueueName;
        if (queue.Length == 0)
        {
            yield return $"{fieldPath}.sqs.queue_name is required";
        }
        else if (!SqsQueues.IsLegalName(queue, fifo: false))
        {
            yield return $"{fieldPath}.sqs.queue_name {ClientText.Quote(queue)} is not a valid standard queue name ({SqsQueues.NameRule})";
        }
    }

    /// <summary>Nothing to prepare: the queue belongs to the application, which creates it; a queue still missing at delivery dead-letters the message.</summary>
    public Task PrepareAsync(Target target, CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask<DeliveryOutcome> DeliverAsync(Target target, Delivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(delivery);
        var queue = target.Sqs.QueueName;
        if (delivery.Envelope.Payload.IsEmpty)
        {
            return DeliveryOutcome.DeadLetter($"sqs queue {queue}: an empty payload cannot be an SQS message body");
        }

        try
        {
            var url = await queues.UrlAsync(queue, cancellationToken);
            await queues.Client.SendMessageAsync(ToMessage(url, delivery), cancellationToken);
            return DeliveryOutcome.Applied;
        }
        catch (AmazonServiceException ex)
        {
            var error = $"sending to sqs queue {queue} failed: {ex.ErrorCode} {ex.Message} (HTTP {(int)ex.StatusCode})";
            return IsPermanent(ex) ? DeliveryOutcome.DeadLetter(error) : DeliveryOutcome.Retry(error);
        }
        catch (Exception ex) when (ex is AmazonClientException or HttpRequestException or TimeoutException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return DeliveryOutcome.Retry($"sending to sqs queue {queue} failed: {ex.Message}");
        }
    }

    private static bool IsPermanent(AmazonServiceException ex) =>
        ex is QueueDoesNotExistException or InvalidMessageContentsException or InvalidAttributeNameException or InvalidAttributeValueException
            or InvalidAddressException or InvalidSecurityException or UnsupportedOperationException
            or KmsAccessDeniedException or KmsDisabledException or KmsInvalidKeyUsageException or KmsInvalidStateException or KmsNotFoundException or KmsOptInRequiredException
        || PermanentCodes.Contains(ex.ErrorCode, StringComparer.Ordinal)
        || ex.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.RequestEntityTooLarge;

    private static SendMessageRequest ToMessage(string url, Delivery delivery)
    {
        var envelope = delivery.Envelope;
        var meta = envelope.Meta;
        var attributes = new Dictionary<string, MessageAttributeValue>(StringComparer.Ordinal)
        {
            [MessageId] = Text(meta.MessageId),
            [Namespace] = Text(delivery.Namespace),
            [Attempt] = Text(delivery.Attempt.ToString(CultureInfo.InvariantCulture)),
            [OriginalWriteTime] = Text(envelope.OriginalWriteTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)),
        };
        foreach (var (name, value) in delivery.Chunk?.Headers ?? [])
        {
            attributes[name] = Text(value);
        }

        var body = AsText(envelope.Payload.Span);
        if (body is null)
        {
            body = Convert.ToBase64String(envelope.Payload.Span);
            attributes[Encoding64] = Text("base64");
        }

        var headers = meta.Headers.Where(h => !HeaderRules.IsReserved(h.Key)).OrderBy(h => h.Key, StringComparer.Ordinal).ToList();
        if (headers.Count <= MaxAttributes - attributes.Count && headers.All(h => IsLegalAttributeName(h.Key) && h.Value.Length > 0))
        {
            headers.ForEach(h => attributes[h.Key] = Text(h.Value));
        }
        else
        {
            attributes[Headers] = Text(Json(headers));
        }

        return new SendMessageRequest { QueueUrl = url, MessageBody = body, MessageAttributes = attributes };
    }

    /// <summary>The payload as a body, or null when it is not valid UTF-8 or holds a character SQS refuses in one.</summary>
    private static string? AsText(ReadOnlySpan<byte> payload)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(payload);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        return text.All(c => c is '\t' or '\n' or '\r' or (>= ' ' and <= '\uFFFD')) ? text : null;
    }

    /// <summary>What SQS takes as an attribute name: up to 256 of a-z A-Z 0-9 _ - ., no leading, trailing or double dot, not starting with AWS. or Amazon.</summary>
    internal static bool IsLegalAttributeName(string name) =>
        AttributeNamePattern().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal)
        && !name.StartsWith("aws.", StringComparison.OrdinalIgnoreCase) && !name.StartsWith("amazon.", StringComparison.OrdinalIgnoreCase);

    private static string Json(List<KeyValuePair<string, string>> headers)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            headers.ForEach(h => writer.WriteString(h.Key, h.Value));
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static MessageAttributeValue Text(string value) => new() { DataType = "String", StringValue = value };

    // \z, not $: $ also matches before a final newline.
    [GeneratedRegex(@"^(?:[a-zA-Z0-9_-][a-zA-Z0-9_.-]{0,254}[a-zA-Z0-9_-]|[a-zA-Z0-9_-])\z")]
    private static partial Regex AttributeNamePattern();
}
