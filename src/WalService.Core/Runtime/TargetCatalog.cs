using System.Collections.Frozen;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Validation;

namespace WalService.Core.Runtime;

/// <summary>The target kinds this server can deliver to, one <see cref="ITargetHandler"/> each.</summary>
public sealed class TargetCatalog
{
    private readonly FrozenDictionary<Target.KindOneofCase, ITargetHandler> _handlers;

    public TargetCatalog(IEnumerable<ITargetHandler> handlers)
    {
        _handlers = handlers.ToFrozenDictionary(h => h.Kind);
    }

    /// <summary>Whether a target of this kind can be delivered to by this server.</summary>
    public bool Supports(Target.KindOneofCase kind) => _handlers.ContainsKey(kind);

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
        return _handlers.TryGetValue(target.KindCase, out var handler) ? handler.DeliveryTimeout(target) : NamespaceDefaults.DeliveryTimeout;
    }

    /// <summary>Violations of a target's settings; an unsupported kind is not a violation (callers answer UNIMPLEMENTED).</summary>
    public IEnumerable<string> Validate(Target target, string fieldPath)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.KindCase == Target.KindOneofCase.None)
        {
            return [$"{fieldPath} must set one of http, kv, kafka, sqs, redis, wal, noop"];
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
