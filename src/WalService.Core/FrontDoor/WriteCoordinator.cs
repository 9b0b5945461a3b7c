using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using WalService.Api.Internal;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Runtime;
using WalService.Core.Telemetry;
using WalService.Core.Validation;

namespace WalService.Core.FrontDoor;

/// <summary>
/// The logic of <c>WriteToLog</c>: resolve the namespace, check identity, input and limits, then append through the
/// namespace's backend. Rejections are answered without touching the log; every answer says exactly what
/// <c>durable</c> promises (API.md).
/// </summary>
public sealed class WriteCoordinator(
    NamespaceRegistry registry,
    BackendCatalog backends,
    TargetCatalog targets,
    WorkSignals signals,
    MessageIdGenerator ids,
    WalMetrics metrics,
    TimeProvider time,
    IOptions<WalOptions> options)
{
    private static readonly TimeSpan ShedRetryAfter = TimeSpan.FromMilliseconds(50);
    private readonly ConcurrentDictionary<string, (long Version, TokenBucket Bucket)> _limits = new(StringComparer.Ordinal);
    private int _inFlight;

    /// <summary>Writes one entry; <paramref name="clientId"/> is the caller's identity, null when it gave none.</summary>
    public async ValueTask<WriteOutcome> WriteAsync(WriteToLogRequest request, string? clientId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = Stopwatch.GetTimestamp();
        var outcome = await WriteCoreAsync(request, clientId, cancellationToken);
        var response = outcome.Response;
        var result = response.Code != 0 ? ((StatusCode)response.Code).ToString() : response.Durable switch
        {
            Trilean.True => "durable",
            Trilean.Unknown => "unknown",
            _ => "failed",
        };
        metrics.Write(request.Namespace, result, 1, Stopwatch.GetElapsedTime(started));
        return outcome;
    }

    /// <summary>Checks what concerns a whole batch; null when it may go ahead.</summary>
    public WriteRejection? ValidateBatch(WriteToLogBatchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var limits = options.Value;
        if (request.Entries.Count > limits.MaxBatchEntries)
        {
            return WriteRejection.Invalid($"entries: {request.Entries.Count} entries exceed the server's batch limit of {limits.MaxBatchEntries}");
        }

        long bytes = 0;
        foreach (var entry in request.Entries)
        {
            bytes += entry.Payload.Length;
        }

        return bytes > limits.MaxBatchBytes
            ? WriteRejection.Invalid($"entries: {bytes} payload bytes exceed the server's batch limit of {limits.MaxBatchBytes}")
            : null;
    }

    private async ValueTask<WriteOutcome> WriteCoreAsync(WriteToLogRequest request, string? clientId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Namespace))
        {
            return Reject(WriteRejection.Invalid("namespace is required"));
        }

        var ns = await registry.GetAsync(request.Namespace, cancellationToken);
        if (ns is null)
        {
            return Reject(new WriteRejection(StatusCode.NotFound, $"namespace '{request.Namespace}' is not registered"));
        }

        var now = time.GetUtcNow();
        if (CheckNamespace(ns, clientId) is { } refused)
        {
            return Reject(refused);
        }

        if (WriteValidator.Validate(request, ns, targets, now, out var deliverAt) is { } invalid)
        {
            return Reject(invalid);
        }

        if (!backends.TryGet(ns.Backend, out var backend))
        {
            return Reject(new WriteRejection(StatusCode.Unimplemented, $"namespace '{ns.Name}' uses the {ns.Backend.ToString().ToLowerInvariant()} backend, which this server does not provide yet"));
        }

        if (CheckLimits(ns) is { } limited)
        {
            return Reject(limited);
        }

        try
        {
            var envelope = BuildEnvelope(request, ns, now, deliverAt);
            var result = await backend.AppendAsync(envelope, ns.DedupWindow, cancellationToken);
            if (result.Durable == Trilean.True)
            {
                signals.Notify(ns.Name);
            }

            return new WriteOutcome(new WriteToLogResponse
            {
                Durable = result.Durable,
                MessageId = result.MessageId,
                Message = result.Error ?? string.Empty,
            });
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private WriteRejection? CheckNamespace(NamespaceSettings ns, string? clientId)
    {
        if (ns.Shard != options.Value.Shard)
        {
            return new WriteRejection(StatusCode.FailedPrecondition, $"namespace '{ns.Name}' is served by shard '{ns.Shard}'; this server serves shard '{options.Value.Shard}'");
        }

        if (ns.State == NamespaceState.Disabled)
        {
            return new WriteRejection(StatusCode.FailedPrecondition, $"namespace '{ns.Name}' is disabled");
        }

        if (ns.AllowedClients.Count > 0)
        {
            if (clientId is null)
            {
                return new WriteRejection(StatusCode.Unauthenticated, $"namespace '{ns.Name}' accepts only named clients; the call carries no client identity");
            }

            if (!ns.AllowedClients.Contains(clientId))
            {
                return new WriteRejection(StatusCode.PermissionDenied, $"client '{clientId}' is not in allowed_clients of namespace '{ns.Name}'");
            }
        }

        return null;
    }

    /// <summary>Rate limit, then load shedding. On success the caller owns one in-flight slot.</summary>
    private WriteRejection? CheckLimits(NamespaceSettings ns)
    {
        if (ns.WritesPerSecond > 0)
        {
            var entry = _limits.AddOrUpdate(
                ns.Name,
                _ => (ns.Version, new TokenBucket(ns.WritesPerSecond, ns.Burst, time)),
                (_, old) => old.Version == ns.Version ? old : (ns.Version, new TokenBucket(ns.WritesPerSecond, ns.Burst, time)));
            if (!entry.Bucket.TryTake(1, out var wait))
            {
                return new WriteRejection(StatusCode.ResourceExhausted, $"namespace '{ns.Name}' is limited to {ns.WritesPerSecond} writes per second", wait);
            }
        }

        if (Interlocked.Increment(ref _inFlight) > options.Value.MaxInFlightWrites)
        {
            Interlocked.Decrement(ref _inFlight);
            return new WriteRejection(StatusCode.ResourceExhausted, "the server is shedding load; retry later", ShedRetryAfter);
        }

        return null;
    }

    private Envelope BuildEnvelope(WriteToLogRequest request, NamespaceSettings ns, DateTimeOffset now, DateTimeOffset deliverAt)
    {
        var meta = new EnvelopeMeta
        {
            MessageId = ids.Next(),
            Namespace = ns.Name,
            DeliverAtMs = deliverAt.ToUnixTimeMilliseconds(),
            OriginalWriteTimeMs = (request.Lifecycle?.OriginalWriteTime?.ToDateTimeOffset() ?? now).ToUnixTimeMilliseconds(),
            OrderingKey = request.OrderingKey,
            IdempotencyKey = request.IdempotencyKey,
            TraceParent = Activity.Current?.Id ?? string.Empty,
            Target = request.Target,
        };
        meta.Headers.Add(request.Headers);
        return new Envelope(meta, request.Payload.Memory);
    }

    private static WriteOutcome Reject(WriteRejection rejection) => new(
        new WriteToLogResponse { Durable = Trilean.False, Code = (int)rejection.Code, Message = rejection.Message },
        rejection.RetryAfter);
}
