using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;

namespace WalService.Client;

/// <summary>
/// A typed client of WalService: the front door (<see cref="Log"/>) and the control plane (<see cref="Admin"/>), with
/// helpers for the common calls. Register it with <c>services.AddWalClient(...)</c>, or build one from a channel.
/// </summary>
public sealed partial class WalClient(WriteAheadLog.WriteAheadLogClient log, NamespaceAdmin.NamespaceAdminClient admin)
{
    public WriteAheadLog.WriteAheadLogClient Log { get; } = log;

    public NamespaceAdmin.NamespaceAdminClient Admin { get; } = admin;

    /// <summary>Builds the request that <see cref="WriteAsync"/> sends.</summary>
    public static WriteToLogRequest CreateRequest(string ns, ReadOnlyMemory<byte> payload, WalWriteOptions? options = null)
    {
        var request = new WriteToLogRequest { Namespace = ns, Payload = ByteString.CopyFrom(payload.Span) };
        if (options is null)
        {
            return request;
        }

        if (options.Delay is not null || options.DeliverAt is not null)
        {
            request.Lifecycle = new Lifecycle
            {
                Delay = options.Delay is { } delay ? Duration.FromTimeSpan(delay) : null,
                DeliverAt = options.DeliverAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
            };
        }

        request.IdempotencyKey = options.IdempotencyKey ?? string.Empty;
        request.OrderingKey = options.OrderingKey ?? string.Empty;
        request.Target = options.Target;
        foreach (var (name, value) in options.Headers ?? new Dictionary<string, string>())
        {
            request.Headers[name] = value;
        }

        return request;
    }

    /// <summary>
    /// Writes one message. A rejected write throws <see cref="Grpc.Core.RpcException"/> with the status docs/api.md gives it; an
    /// accepted one answers <c>durable</c>: TRUE (the service owns it), FALSE (safe to retry) or UNKNOWN (retry with
    /// the same idempotency key).
    /// </summary>
    public async Task<WriteToLogResponse> WriteAsync(string ns, ReadOnlyMemory<byte> payload, WalWriteOptions? options = null, CancellationToken cancellationToken = default) =>
        await Log.WriteToLogAsync(CreateRequest(ns, payload, options), cancellationToken: cancellationToken);

    public async Task<MessageStatus> GetStatusAsync(string ns, string messageId, CancellationToken cancellationToken = default) =>
        await Log.GetMessageStatusAsync(new GetMessageStatusRequest { Namespace = ns, MessageId = messageId }, cancellationToken: cancellationToken);
}
