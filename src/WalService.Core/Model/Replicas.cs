using System.Text.RegularExpressions;
using WalService.Api.V1;
using WalService.Core.Model.Storage;

namespace WalService.Core.Model;

/// <summary>
/// Names of a replicated message's replicas. A message of a namespace whose target is <c>replicate</c> is split, when
/// first delivered, into one replica per region: an ordinary message of the log whose id is the message's id, a dot
/// and the region (<c>01J…Z.eu-west</c>), delivered, retried and dead-lettered on its own. Message ids have no dots and
/// region names no dots either, so the split is unambiguous.
/// </summary>
public static partial class Replicas
{
    public const int MaxRegions = 16;

    /// <summary>The replica's id.</summary>
    public static string Id(string messageId, string region) => $"{messageId}.{region}";

    /// <summary>
    /// The idempotency key a replica is appended under, so that splitting a message again (its first split was not
    /// acknowledged before a crash) appends nothing twice. It holds control characters, which a client's key may not,
    /// so no write can take it first.
    /// </summary>
    public static string IdempotencyKey(string replicaId) => "\u001Freplica\u001F" + replicaId;

    /// <summary>Whether <paramref name="region"/> is a well-formed region name.</summary>
    public static bool IsRegionName(string region) => RegionName().IsMatch(region);

    /// <summary>The message and region of a replica's id; false for any other id.</summary>
    public static bool TrySplit(string id, out string messageId, out string region)
    {
        ArgumentNullException.ThrowIfNull(id);
        var dot = id.LastIndexOf('.');
        if (dot > 0 && IsRegionName(id[(dot + 1)..]))
        {
            (messageId, region) = (id[..dot], id[(dot + 1)..]);
            return true;
        }

        (messageId, region) = (id, string.Empty);
        return false;
    }

    /// <summary>The id of the message a replica was made from; the id itself for a message that is no replica.</summary>
    public static string MessageIdOf(EnvelopeMeta meta)
    {
        ArgumentNullException.ThrowIfNull(meta);
        return meta.Region.Length == 0 ? meta.MessageId : meta.MessageId[..^(meta.Region.Length + 1)];
    }

    /// <summary>
    /// The scope in which a message waits for the earlier ones of its ordering key: the key itself, and for a replica
    /// the key within its region, so that a region that is down holds back no other. Empty when the message has no key.
    /// </summary>
    public static string OrderingScope(EnvelopeMeta meta)
    {
        ArgumentNullException.ThrowIfNull(meta);
        return meta.Region.Length == 0 || meta.OrderingKey.Length == 0 ? meta.OrderingKey : $"{meta.OrderingKey}\u001F{meta.Region}";
    }

    /// <summary>The region's target in a replicate target; null when it names no such region.</summary>
    public static Target? TargetOf(ReplicateTarget replicate, string region)
    {
        ArgumentNullException.ThrowIfNull(replicate);
        foreach (var r in replicate.Regions)
        {
            if (r.Region == region)
            {
                return r.Target;
            }
        }

        return null;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionName();
}
