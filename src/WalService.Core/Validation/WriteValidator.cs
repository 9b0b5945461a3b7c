using Grpc.Core;
using WalService.Api.V1;
using WalService.Core.Model;
using WalService.Core.Runtime;

namespace WalService.Core.Validation;

/// <summary>The per-entry rules of <c>WriteToLog</c> that depend on the namespace's settings.</summary>
public static class WriteValidator
{
    public const int MaxKeyLength = 512;

    /// <summary>Returns the rejection, or null when the write may go ahead; <paramref name="deliverAt"/> is then set.</summary>
    public static WriteRejection? Validate(WriteToLogRequest request, NamespaceSettings ns, TargetCatalog targets, DateTimeOffset now, out DateTimeOffset deliverAt)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(targets);
        deliverAt = now;

        if (request.Payload.Length > ns.MaxPayloadBytes)
        {
            return WriteRejection.Invalid($"payload is {request.Payload.Length} bytes; namespace '{ns.Name}' allows max_payload_bytes={ns.MaxPayloadBytes}");
        }

        if (request.Chunk is { } chunk)
        {
            if (ns.Target.KindCase == Target.KindOneofCase.Replicate)
            {
                return WriteRejection.Invalid($"chunk: namespace '{ns.Name}' replicates to regions (target replicate), where transactions are not taken; write its mutations as messages");
            }

            if (ChunkRules.Validate(chunk, ns) is { } chunkError)
            {
                return chunkError;
            }

            if (!chunk.Last)
            {
                // A transaction's lifecycle, keys, headers and target are its last chunk's; on the others they are ignored.
                return null;
            }
        }

        if (request.IdempotencyKey.Length > MaxKeyLength)
        {
            return WriteRejection.Invalid($"idempotency_key must be at most {MaxKeyLength} characters");
        }

        if (request.IdempotencyKey.Any(char.IsControl))
        {
            return WriteRejection.Invalid("idempotency_key must not hold control characters");
        }

        if (request.OrderingKey.Length > MaxKeyLength)
        {
            return WriteRejection.Invalid($"ordering_key must be at most {MaxKeyLength} characters");
        }

        if (request.OrderingKey.Length > 0 && ns.OrderingKeyRefusal is { } unordered)
        {
            return WriteRejection.Invalid($"ordering_key: {unordered}");
        }

        if (HeaderRules.ValidateWrite(request, ns) is { } headerError)
        {
            return headerError;
        }

        if (request.Lifecycle is { } lifecycle && ValidateLifecycle(lifecycle, ns, now, ref deliverAt) is { } lifecycleError)
        {
            return lifecycleError;
        }

        return request.Target is null ? null : ValidateTargetOverride(request.Target, ns, targets);
    }

    private static WriteRejection? ValidateLifecycle(Lifecycle lifecycle, NamespaceSettings ns, DateTimeOffset now, ref DateTimeOffset deliverAt)
    {
        if ((TimeRules.WellFormed(lifecycle.Delay, "lifecycle.delay")
            ?? TimeRules.WellFormed(lifecycle.DeliverAt, "lifecycle.deliver_at")
            ?? TimeRules.WellFormed(lifecycle.OriginalWriteTime, "lifecycle.original_write_time")) is { } malformed)
        {
            return WriteRejection.Invalid(malformed);
        }

        if (lifecycle.Delay is not null && lifecycle.DeliverAt is not null)
        {
            return WriteRejection.Invalid("lifecycle: set delay or deliver_at, not both");
        }

        if (lifecycle.Delay is { } delayValue)
        {
            if (delayValue.Seconds < 0 || delayValue.Nanos < 0)
            {
                return WriteRejection.Invalid("lifecycle.delay must not be negative");
            }

            var delay = delayValue.ToTimeSpan();
            if (delay > ns.MaxDelay)
            {
                return WriteRejection.Invalid($"lifecycle.delay {delay} exceeds namespace '{ns.Name}' max_delay {ns.MaxDelay}");
            }

            if (!TimeRules.TryAdd(now, delay, out deliverAt))
            {
                return WriteRejection.Invalid($"lifecycle.delay {delay} puts the delivery past {DateTimeOffset.MaxValue:O}");
            }
        }
        else if (lifecycle.DeliverAt is { } at)
        {
            var when = at.ToDateTimeOffset();
            if (when - now > ns.MaxDelay)
            {
                return WriteRejection.Invalid($"lifecycle.deliver_at {when:O} is beyond namespace '{ns.Name}' max_delay {ns.MaxDelay}");
            }

            deliverAt = when > now ? when : now;
        }

        return null;
    }

    private static WriteRejection? ValidateTargetOverride(Target target, NamespaceSettings ns, TargetCatalog targets)
    {
        if (!ns.AllowTargetOverride)
        {
            return WriteRejection.Invalid($"target: namespace '{ns.Name}' does not allow a target override (allow_target_override is false)");
        }

        if (target.KindCase == Target.KindOneofCase.Replicate)
        {
            return WriteRejection.Invalid("target: replicate is a namespace's target only, not a write's override");
        }

        var problems = targets.Validate(target, "target").ToList();
        if (problems.Count > 0)
        {
            return WriteRejection.Invalid(string.Join("; ", problems));
        }

        return targets.Supports(target.KindCase)
            ? null
            : new WriteRejection(StatusCode.Unimplemented, $"target: kind '{TargetCatalog.KindName(target.KindCase)}' is not available on this server yet");
    }
}
