using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;

namespace WalService.Core.Runtime;

/// <summary>
/// Delivery for a namespace whose target is <c>replicate</c>. The first delivery of a message splits it: one replica
/// per region is appended to the namespace's own log (see <see cref="Replicas"/>), and the message is applied once
/// every replica is durable. Each replica is then an ordinary message, with its own attempts, backoff, status and dead
/// letter, delivered to its region's target; so a region that is down holds back no other, and what it has not taken
/// is in the log, not in a process.
/// </summary>
internal static class Replication
{
    /// <summary>Whether the message is one to split: no replica itself, of a namespace that replicates, with no target of its own.</summary>
    public static bool IsToSplit(Envelope envelope, NamespaceSettings settings) =>
        envelope.Meta.Region.Length == 0 && envelope.Meta.Target is null && settings.Target.KindCase == Target.KindOneofCase.Replicate;

    /// <summary>
    /// Appends the message's replicas, due at <paramref name="now"/>. Each goes in under its own idempotency key, so a
    /// split tried again (its first one was not acknowledged) appends none twice. Applied once all are durable, else
    /// retried.
    /// </summary>
    public static async Task<DeliveryOutcome> SplitAsync(ILogProducer log, NamespaceSettings settings, Envelope envelope, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var regions = settings.Target.Replicate.Regions;
        var requests = new AppendRequest[regions.Count];
        for (var i = 0; i < requests.Length; i++)
        {
            requests[i] = new AppendRequest(Replica(envelope, regions[i].Region, now), settings.DedupWindow);
        }

        var results = await log.AppendAsync(requests, cancellationToken);
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i].Durable != Trilean.True)
            {
                return DeliveryOutcome.Retry($"could not enqueue the message for region '{regions[i].Region}': {results[i].Error}");
            }
        }

        return DeliveryOutcome.Applied;
    }

    /// <summary>
    /// A replica's delivery: its region's target and the message as that target sees it (its own id, no replica's
    /// key); a null target when the namespace no longer has the region.
    /// </summary>
    public static (Target? Target, Delivery Delivery) ForRegion(string ns, LeasedMessage replica, NamespaceSettings settings)
    {
        var meta = replica.Envelope.Meta;
        var target = settings.Target.Replicate is { } replicate ? Replicas.TargetOf(replicate, meta.Region) : null;
        var message = meta.Clone();
        message.MessageId = Replicas.MessageIdOf(meta);
        message.IdempotencyKey = string.Empty;
        return (target, new Delivery(ns, new Envelope(message, replica.Envelope.Payload), replica.Attempt, Region: meta.Region));
    }

    private static Envelope Replica(Envelope envelope, string region, DateTimeOffset now)
    {
        var meta = envelope.Meta.Clone();
        meta.MessageId = Replicas.Id(envelope.MessageId, region);
        meta.Region = region;
        meta.IdempotencyKey = Replicas.IdempotencyKey(meta.MessageId);
        meta.DeliverAtMs = now.ToUnixTimeMilliseconds();
        meta.Attempt = 0;
        return new Envelope(meta, envelope.Payload);
    }
}
