using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Validation;

namespace WalService.Targets.Wal;

/// <summary>
/// Forwards each message to another WalService (<c>WalTarget.endpoint</c>, a remote of <see cref="WalRemotesOptions"/>)
/// with its <c>WriteToLog</c>: into <c>WalTarget.namespace</c>, with the message's payload, headers, ordering key and
/// original write time, and its message id as the idempotency key, so a delivery repeated within the remote
/// namespace's <c>dedup_window</c> is enqueued there once. A chunk of a transaction goes as a message of its own, with
/// the idempotency key <c>&lt;message id&gt;:&lt;sequence&gt;</c>. The message's <c>traceparent</c> and a chunk's
/// <c>wal-transaction-id</c>, <c>wal-chunk</c> and <c>wal-chunk-count</c> travel as gRPC metadata: the remote refuses
/// <c>wal-*</c> and <c>traceparent</c> as message headers. Verdicts: <see cref="WalStatusClassifier"/>.
/// </summary>
public sealed class WalTargetHandler(WalRemoteClients remotes, TimeProvider time) : ITargetHandler
{
    public Target.KindOneofCase Kind => Target.KindOneofCase.Wal;

    public IEnumerable<string> Validate(Target target, string fieldPath)
    {
        ArgumentNullException.ThrowIfNull(target);
        var wal = target.Wal;
        if (wal.Endpoint.Length == 0)
        {
            yield return $"{fieldPath}.wal.endpoint is required: the name of a remote of this server's configuration ({WalRemotesOptions.Section}:<name>:Address)";
        }
        else if (remotes.Find(wal.Endpoint) is null)
        {
            yield return $"{fieldPath}.wal.endpoint {ClientText.Quote(wal.Endpoint)} is not a remote of this server's configuration ({WalRemotesOptions.Setting(SettingName(wal.Endpoint), "Address")})";
        }

        if (wal.Namespace.Length == 0)
        {
            yield return $"{fieldPath}.wal.namespace is required";
        }
        else if (!NamespaceConfigValidator.IsNamespaceName(wal.Namespace))
        {
            yield return $"{fieldPath}.wal.namespace {ClientText.Quote(wal.Namespace)} must match ^[a-z0-9][a-z0-9._-]{{0,127}}$";
        }
    }

    public Task PrepareAsync(Target target, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The remote's <see cref="WalRemoteOptions.Deadline"/>; the default's for a remote no longer configured.</summary>
    public TimeSpan DeliveryTimeout(Target target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return (remotes.Find(target.Wal.Endpoint) ?? new WalRemoteOptions()).Deadline;
    }

    public async ValueTask<DeliveryOutcome> DeliverAsync(Target target, Delivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(delivery);
        var endpoint = target.Wal.Endpoint;
        if (remotes.Find(endpoint) is not { } remote)
        {
            // A namespace created before the remote was taken out of the configuration.
            return DeliveryOutcome.DeadLetter($"wal remote {ClientText.Quote(endpoint)} is not in this server's configuration ({WalRemotesOptions.Section})");
        }

        var deadline = time.GetUtcNow().UtcDateTime + remote.Deadline;
        var (request, metadata) = Build(target.Wal, delivery);
        try
        {
            var call = remotes.Client(endpoint).WriteToLogAsync(request, metadata, deadline, cancellationToken);
            return WalStatusClassifier.Classify(await call.ResponseAsync, endpoint);
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return WalStatusClassifier.Classify(ex.StatusCode, ex.Status.Detail, ex.Trailers, endpoint);
        }
    }

    /// <summary>The remote write of one delivery, and the metadata that goes with it.</summary>
    internal static (WriteToLogRequest Request, Metadata Metadata) Build(WalTarget wal, Delivery delivery)
    {
        var envelope = delivery.Envelope;
        var request = new WriteToLogRequest
        {
            Namespace = wal.Namespace,
            Payload = ByteString.CopyFrom(envelope.Payload.Span),
            OrderingKey = envelope.Meta.OrderingKey,
            IdempotencyKey = delivery.Chunk is { } chunk ? $"{envelope.MessageId}:{chunk.Sequence}" : envelope.MessageId,
            Lifecycle = new Lifecycle { OriginalWriteTime = Timestamp.FromDateTimeOffset(envelope.OriginalWriteTime) },
        };
        request.Headers.Add(envelope.Meta.Headers);
        var metadata = new Metadata
        {
            { "wal-origin-message-id", envelope.Meta.OriginMessageId.Length > 0 ? envelope.Meta.OriginMessageId : envelope.MessageId },
        };
        if (envelope.Meta.TraceParent.Length > 0)
        {
            metadata.Add("traceparent", envelope.Meta.TraceParent);
        }

        foreach (var (name, value) in delivery.Chunk?.Headers ?? [])
        {
            metadata.Add(name, value);
        }

        return (request, metadata);
    }

    /// <summary>The endpoint as a configuration key would spell it, or <c>&lt;name&gt;</c> when it could not be one (too long, control characters).</summary>
    private static string SettingName(string endpoint) =>
        endpoint.Length <= ClientText.DefaultMaxChars && !endpoint.Any(char.IsControl) ? endpoint : "<name>";
}
