using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using WalService.Core.Model.Storage;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Administration;
using WalService.Core.Model;
using WalService.Core.Runtime;
using WalService.Core.Telemetry;
using WalService.Core.Validation;

namespace WalService.Core.FrontDoor;

/// <summary>
/// The logic of <c>WriteToLog</c>: resolve the namespace, check identity, input and limits, then append through the
/// namespace's backend. Rejections are answered without touching the log; every answer says exactly what
/// <c>durable</c> promises (docs/api.md).
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

    /// <summary>
    /// Writes one entry; <paramref name="clientId"/> is the caller's identity, null when it gave none;
    /// <paramref name="originMessageId"/> the id the message has in the WalService that forwarded it, if one did.
    /// </summary>
    public async ValueTask<WriteOutcome> WriteAsync(WriteToLogRequest request, string? clientId, CancellationToken cancellationToken, string? originMessageId = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var outcomes = await WriteManyAsync([request], clientId, cancellationToken, originMessageId);
        return outcomes[0];
    }

    /// <summary>
    /// Writes the entries of a batch, each judged on its own; <c>result[i]</c> answers <c>requests[i]</c>. Admitted
    /// entries go to their backend together, so the embedded log commits them in one transaction.
    /// </summary>
    public async ValueTask<WriteOutcome[]> WriteManyAsync(IReadOnlyList<WriteToLogRequest> requests, string? clientId, CancellationToken cancellationToken, string? originMessageId = null)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var started = Stopwatch.GetTimestamp();
        var outcomes = new WriteOutcome[requests.Count];
        var admitted = new List<(int Index, Admission Admission)>(requests.Count);
        for (var i = 0; i < requests.Count; i++)
        {
            var admission = await AdmitAsync(requests[i], clientId, originMessageId, cancellationToken);
            if (admission.Rejection is { } rejection)
            {
                outcomes[i] = Reject(rejection);
            }
            else
            {
                admitted.Add((i, admission));
            }
        }

        try
        {
            foreach (var group in admitted.GroupBy(a => a.Admission.Backend))
            {
                await AppendAsync(group.Key!, [.. group], outcomes, cancellationToken);
            }
        }
        finally
        {
            Interlocked.Add(ref _inFlight, -admitted.Count);
        }

        CountWrites(requests, outcomes, Stopwatch.GetElapsedTime(started));
        return outcomes;
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
            bytes += entry.Payload.Length + HeaderRules.ByteCount(entry.Headers);
        }

        return bytes > limits.MaxBatchBytes
            ? WriteRejection.Invalid($"entries: {bytes} bytes of payloads and headers exceed the server's batch limit of {limits.MaxBatchBytes}")
            : null;
    }

    /// <summary>
    /// Counts the entries by namespace and outcome, a run of equal ones at once (a batch is mostly one run), and
    /// measures the call's duration once per namespace run.
    /// </summary>
    private void CountWrites(IReadOnlyList<WriteToLogRequest> requests, WriteOutcome[] outcomes, TimeSpan elapsed)
    {
        var from = 0;
        while (from < requests.Count)
        {
            var ns = requests[from].Namespace;
            var outcome = OutcomeName(outcomes[from].Response);
            var to = from + 1;
            while (to < requests.Count && requests[to].Namespace == ns && OutcomeName(outcomes[to].Response) == outcome)
            {
                to++;
            }

            var alreadyMeasured = from > 0 && requests[from - 1].Namespace == ns;
            metrics.Write(ns, outcome, to - from, alreadyMeasured ? null : elapsed);
            from = to;
        }
    }

    private static string OutcomeName(WriteToLogResponse response) => response.Code != 0
        ? ((StatusCode)response.Code).ToString()
        : response.Durable switch
        {
            Trilean.True => "durable",
            Trilean.Unknown => "unknown",
            _ => "failed",
        };

    private async Task AppendAsync(ILogBackend backend, List<(int Index, Admission Admission)> group, WriteOutcome[] outcomes, CancellationToken cancellationToken)
    {
        AppendResult[] results;
        try
        {
            results = await backend.AppendAsync([.. group.Select(a => a.Admission.Request)], cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A backend answers failures in its results; an exception leaves open whether anything was persisted.
            results = [.. group.Select(a => new AppendResult(Trilean.Unknown, a.Admission.Request.Envelope.MessageId, $"the log failed: {ex.Message}"))];
        }

        string? notified = null;
        for (var j = 0; j < group.Count; j++)
        {
            var (index, admission) = group[j];
            var result = results[j];
            var ns = admission.Request.Envelope.Meta.Namespace;
            if (result.Durable == Trilean.True && !string.Equals(ns, notified, StringComparison.Ordinal))
            {
                // One signal wakes the namespace's worker for everything the batch wrote to it.
                signals.Notify(ns);
                notified = ns;
            }

            outcomes[index] = new WriteOutcome(new WriteToLogResponse
            {
                Durable = result.Durable,
                MessageId = result.MessageId,
                Message = result.Error ?? string.Empty,
                Code = (int)result.Code,
            });
        }
    }

    /// <summary>Every rejection of docs/api.md "Status codes", then the envelope. An admitted write holds one in-flight slot.</summary>
    private async ValueTask<Admission> AdmitAsync(WriteToLogRequest request, string? clientId, string? originMessageId, CancellationToken cancellationToken)
    {
        if (RequestLimits.Namespace(request.Namespace, "namespace") is { } invalidName)
        {
            return new Admission(WriteRejection.Invalid(invalidName));
        }

        var ns = await registry.GetAsync(request.Namespace, cancellationToken);
        if (ns is null)
        {
            return new Admission(NamespaceLookup.NotRegistered(request.Namespace));
        }

        var now = time.GetUtcNow();
        if (CheckNamespace(ns, clientId) is { } refused)
        {
            return new Admission(refused);
        }

        if (WriteValidator.Validate(request, ns, targets, now, out var deliverAt) is { } invalid)
        {
            return new Admission(invalid);
        }

        if (!backends.TryGet(ns.Backend, out var backend))
        {
            return new Admission(NamespaceLookup.BackendNotProvided(ns));
        }

        return CheckLimits(ns) is { } limited
            ? new Admission(limited)
            : new Admission(null, backend, new AppendRequest(BuildEnvelope(request, ns, now, deliverAt, originMessageId), ns.DedupWindow, ChunkOf(request, ns)));
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

        return ClientAccess.Check(ns, clientId);
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

    private Envelope BuildEnvelope(WriteToLogRequest request, NamespaceSettings ns, DateTimeOffset now, DateTimeOffset deliverAt, string? originMessageId)
    {
        if (request.Chunk is { Last: false } chunk)
        {
            // Only the last chunk's write fields make the transaction's message; the others' were not checked, nor used.
            var staged = new EnvelopeMeta { MessageId = ids.Next(), Namespace = ns.Name, DeliverAtMs = now.ToUnixTimeMilliseconds(), TransactionId = chunk.TransactionId };
            return new Envelope(staged, request.Payload.Memory);
        }

        var meta = new EnvelopeMeta
        {
            MessageId = ids.Next(),
            Namespace = ns.Name,
            // A message due now keeps its write time's millisecond; a later one is never handed out before its time.
            DeliverAtMs = deliverAt > now ? Envelope.DeliverAtMs(deliverAt) : now.ToUnixTimeMilliseconds(),
            OriginalWriteTimeMs = (request.Lifecycle?.OriginalWriteTime?.ToDateTimeOffset() ?? now).ToUnixTimeMilliseconds(),
            OrderingKey = request.OrderingKey,
            IdempotencyKey = request.IdempotencyKey,
            TransactionId = request.Chunk?.TransactionId ?? string.Empty,
            TraceParent = Activity.Current?.Id ?? string.Empty,
            Target = request.Target,
            OriginMessageId = originMessageId ?? string.Empty,
        };
        meta.Headers.Add(request.Headers);
        return new Envelope(meta, request.Payload.Memory);
    }

    private static TransactionChunk? ChunkOf(WriteToLogRequest request, NamespaceSettings ns) =>
        request.Chunk is { } chunk ? new TransactionChunk(chunk.TransactionId, chunk.Sequence, chunk.Last, ns.MaxTransactionBytes) : null;

    private static WriteOutcome Reject(WriteRejection rejection) => new(
        new WriteToLogResponse { Durable = Trilean.False, Code = (int)rejection.Code, Message = rejection.Message },
        rejection.RetryAfter);

    /// <summary>Either why a write was refused, or where it goes and what is appended.</summary>
    private readonly record struct Admission(WriteRejection? Rejection, ILogBackend? Backend = null, AppendRequest Request = default);
}
