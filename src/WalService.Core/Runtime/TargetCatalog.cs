using System.Collections.Frozen;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Validation;

namespace WalService.Core.Runtime;

/// <summary>
/// The target kinds this server can deliver to, one <see cref="ITargetHandler"/> each, and <c>replicate</c>, whose
/// regions' targets are those kinds (the namespace worker splits its messages into replicas, see <see cref="Replicas"/>).
/// </summary>
public sealed class TargetCatalog
{
    private readonly FrozenDictionary<Target.KindOneofCase, ITargetHandler> _handlers;

    public TargetCatalog(IEnumerable<ITargetHandler> handlers)
    {
        _handlers = handlers.ToFrozenDictionary(h => h.Kind);
    }

    /// <summary>Whether a target of this kind can be delivered to by this server (for <c>replicate</c>: see <see cref="Unsupported"/>).</summary>
    public bool Supports(Target.KindOneofCase kind) => kind == Target.KindOneofCase.Replicate || _handlers.ContainsKey(kind);

    /// <summary>The field path of the first target (a region's included) whose kind this server lacks; null when it has them all.</summary>
    public string? Unsupported(Target target, string fieldPath)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Replicate is { } replicate)
        {
            return replicate.Regions
                .Select((r, i) => r.Target is null ? null : Unsupported(r.Target, $"{fieldPath}.replicate.regions[{i}].target"))
                .FirstOrDefault(p => p is not null);
        }

        return Supports(target.KindCase) ? null : $"{fieldPath}.{KindName(target.KindCase)}";
    }

    /// <summary>Prepares what the target needs before the first delivery; every region's, for <c>replicate</c>.</summary>
    public Task PrepareAsync(Target target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.Replicate is { } replicate
            ? Task.WhenAll(replicate.Regions.Select(r => PrepareAsync(r.Target, cancellationToken)))
            : Get(target).PrepareAsync(target, cancellationToken);
    }

    public ITargetHandler Get(Target target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return _handlers.TryGetValue(target.KindCase, out var handler)
            ? handler
            : throw new NotSupportedException($"target kind '{KindName(target.KindCase)}' is not available on this server");
    }

    /// <summary>
    /// How long one delivery to the target may take (see <see cref="ITargetHandler.DeliveryTimeout"/>);
    /// <see cref="NamespaceDefaults.DeliveryTimeout"/> for a kind this server lacks.
    /// </summary>
    public TimeSpan DeliveryTimeout(Target target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Replicate is { Regions.Count: > 0 } replicate)
        {
            return replicate.Regions.Max(r => r.Target is null ? NamespaceDefaults.DeliveryTimeout : DeliveryTimeout(r.Target));
        }

        return _handlers.TryGetValue(target.KindCase, out var handler) ? handler.DeliveryTimeout(target) : NamespaceDefaults.DeliveryTimeout;
    }

    /// <summary>Violations of a target's settings; an unsupported kind is not a violation (callers answer UNIMPLEMENTED).</summary>
    public IEnumerable<string> Validate(Target target, string fieldPath)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.KindCase == Target.KindOneofCase.None)
        {
            return [$"{fieldPath} must set one of http, kv, kafka, sqs, redis, wal, noop, replicate"];
        }

        if (target.Replicate is { } replicate)
        {
            return ValidateRegions(replicate, fieldPath);
        }

        // A handler converts its Durations; one outside protobuf's range is named here and hidden from the handler.
        var malformed = MalformedDurations(target, fieldPath);
        if (malformed.Count > 0)
        {
            target = target.Clone();
            if (target.Http is { Timeout: { } timeout } http && !TimeRules.IsWellFormed(timeout))
            {
                http.Timeout = null;
            }

            if (target.Redis is { Ttl: { } ttl } redis && !TimeRules.IsWellFormed(ttl))
            {
                redis.Ttl = null;
            }
        }

        return _handlers.TryGetValue(target.KindCase, out var handler) ? [.. malformed, .. handler.Validate(target, fieldPath)] : malformed;
    }

    private List<string> ValidateRegions(ReplicateTarget replicate, string fieldPath)
    {
        var errors = new List<string>();
        var path = $"{fieldPath}.replicate.regions";
        if (replicate.Regions.Count is 0 or > Replicas.MaxRegions)
        {
            errors.Add($"{path} must name 1 to {Replicas.MaxRegions} regions; it names {replicate.Regions.Count}");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < replicate.Regions.Count; i++)
        {
            var region = replicate.Regions[i];
            if (!Replicas.IsRegionName(region.Region))
            {
                errors.Add($"{path}[{i}].region {ClientText.Quote(region.Region)} must match ^[a-z0-9][a-z0-9-]{{0,62}}$");
            }
            else if (!seen.Add(region.Region))
            {
                errors.Add($"{path}[{i}].region '{region.Region}' is named twice");
            }

            if (region.Target is null)
            {
                errors.Add($"{path}[{i}].target is required");
            }
            else if (region.Target.KindCase == Target.KindOneofCase.Replicate)
            {
                errors.Add($"{path}[{i}].target must not be replicate");
            }
            else
            {
                errors.AddRange(Validate(region.Target, $"{path}[{i}].target"));
            }
        }

        return errors;
    }

    private static List<string> MalformedDurations(Target target, string fieldPath)
    {
        var errors = new List<string>();
        if (TimeRules.WellFormed(target.Http?.Timeout, $"{fieldPath}.http.timeout") is { } timeout)
        {
            errors.Add(timeout);
        }

        if (TimeRules.WellFormed(target.Redis?.Ttl, $"{fieldPath}.redis.ttl") is { } ttl)
        {
            errors.Add(ttl);
        }

        return errors;
    }

    public static string KindName(Target.KindOneofCase kind) => kind.ToString().ToLowerInvariant();
}
