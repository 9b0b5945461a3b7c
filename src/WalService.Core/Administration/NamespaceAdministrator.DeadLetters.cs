using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Validation;

namespace WalService.Core.Administration;

/// <summary>
/// A namespace's dead letters: listed, redriven into the log, purged. In a replicated namespace a region's dead letter
/// is its replica (see <see cref="Replicas"/>): listed under the message's id with its region, and chosen by the
/// message's id and a region.
/// </summary>
public sealed partial class NamespaceAdministrator
{
    /// <summary>How many dead letters a redrive or purge by region reads a page, and hands the backend a call.</summary>
    private const int RegionScanPage = 1000;

    /// <summary>The namespace's dead letters in message-id order; <paramref name="pageSize"/> 0 asks for the default page.</summary>
    public async Task<Page<DeadLetter>> ListDeadLettersAsync(string @namespace, int pageSize, string pageToken, CancellationToken cancellationToken)
    {
        var ns = await NamespaceLookup.ResolveAsync(_registry, @namespace, "namespace", cancellationToken);
        var size = PageTokens.Size(pageSize);
        var backend = NamespaceLookup.Backend(_backends, ns);
        var read = await backend.ListDeadLettersAsync(ns.Name, size + 1, PageTokens.Decode(pageToken), cancellationToken);
        var page = Page<DeadLetter>.Of(read, size, d => d.MessageId);
        if (ns.Target.Replicate is not null)
        {
            foreach (var deadLetter in page.Items)
            {
                if (Replicas.TrySplit(deadLetter.MessageId, out var messageId, out var region))
                {
                    (deadLetter.MessageId, deadLetter.Region) = (messageId, region);
                }
            }
        }

        return page;
    }

    /// <summary>
    /// Puts the dead letters named (all when <paramref name="messageIds"/> is empty), of <paramref name="region"/> only
    /// when it is set, back in the log with a fresh attempt budget, at most <paramref name="maxPerSecond"/> falling due
    /// a second (0 = no limit), and wakes this instance's consumer of the namespace. Answers how many were redriven.
    /// </summary>
    public async Task<long> RedriveDeadLettersAsync(string @namespace, IReadOnlyList<string> messageIds, int maxPerSecond, string region, CancellationToken cancellationToken)
    {
        RequireMessageIds(messageIds);
        var ns = await NamespaceLookup.ResolveAsync(_registry, @namespace, "namespace", cancellationToken);
        if (maxPerSecond < 0)
        {
            throw RequestRejectedException.Invalid("max_per_second must not be negative (0 = no limit)");
        }

        var backend = NamespaceLookup.Backend(_backends, ns);
        var now = _time.GetUtcNow();
        long redriven = 0;
        if (await ChosenAsync(ns, backend, messageIds, region, cancellationToken) is not { } ids)
        {
            redriven = await backend.RedriveAsync(ns.Name, messageIds, maxPerSecond, now, cancellationToken);
        }
        else
        {
            foreach (var chunk in ids.Chunk(RegionScanPage))
            {
                // Each chunk's due times are spread after the previous chunk's, so the rate holds across them.
                var from = maxPerSecond > 0 ? now + TimeSpan.FromSeconds((double)redriven / maxPerSecond) : now;
                redriven += await backend.RedriveAsync(ns.Name, chunk, maxPerSecond, from, cancellationToken);
            }
        }

        _signals.Notify(ns.Name);
        return redriven;
    }

    /// <summary>Removes the dead letters named (all when <paramref name="messageIds"/> is empty; of <paramref name="region"/> only when set) for good; answers how many.</summary>
    public async Task<long> PurgeDeadLettersAsync(string @namespace, IReadOnlyList<string> messageIds, string region, CancellationToken cancellationToken)
    {
        RequireMessageIds(messageIds);
        var ns = await NamespaceLookup.ResolveAsync(_registry, @namespace, "namespace", cancellationToken);
        var backend = NamespaceLookup.Backend(_backends, ns);
        if (await ChosenAsync(ns, backend, messageIds, region, cancellationToken) is not { } ids)
        {
            return await backend.PurgeAsync(ns.Name, messageIds, cancellationToken);
        }

        long purged = 0;
        foreach (var chunk in ids.Chunk(RegionScanPage))
        {
            purged += await backend.PurgeAsync(ns.Name, chunk, cancellationToken);
        }

        return purged;
    }

    private static void RequireMessageIds(IReadOnlyList<string> ids)
    {
        if (RequestLimits.MessageIds(ids, "message_ids") is { } invalid)
        {
            throw RequestRejectedException.Invalid(invalid);
        }
    }

    /// <summary>
    /// The stored ids a redrive or purge acts on: null for the ids as given (a namespace that does not replicate, or
    /// all of every region); otherwise each message's dead letter and its regions' (or only <paramref name="region"/>'s),
    /// and for all of one region, every dead letter of that region.
    /// </summary>
    private static async Task<IReadOnlyCollection<string>?> ChosenAsync(NamespaceSettings ns, IDeadLetterStore backend, IReadOnlyList<string> messageIds, string region, CancellationToken cancellationToken)
    {
        if (ns.Target.Replicate is not { } replicate)
        {
            return region.Length == 0
                ? null
                : throw RequestRejectedException.Invalid($"region: namespace '{ns.Name}' does not replicate (its target is not replicate)");
        }

        if (region.Length > 0 && Replicas.TargetOf(replicate, region) is null)
        {
            throw RequestRejectedException.Invalid($"region {ClientText.Quote(region)} is not a region of namespace '{ns.Name}' ({string.Join(", ", replicate.Regions.Select(r => r.Region))})");
        }

        if (messageIds.Count == 0)
        {
            return region.Length == 0 ? null : await DeadLettersOfRegionAsync(ns, backend, region, cancellationToken);
        }

        return region.Length > 0
            ? [.. messageIds.Select(id => Replicas.Id(id, region))]
            : [.. messageIds.SelectMany(id => replicate.Regions.Select(r => Replicas.Id(id, r.Region)).Prepend(id))];
    }

    private static async Task<List<string>> DeadLettersOfRegionAsync(NamespaceSettings ns, IDeadLetterStore backend, string region, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await backend.ListDeadLettersAsync(ns.Name, RegionScanPage, after, cancellationToken);
            ids.AddRange(page.Select(d => d.MessageId).Where(id => Replicas.TrySplit(id, out _, out var r) && r == region));
            if (page.Count < RegionScanPage)
            {
                return ids;
            }

            after = page[^1].MessageId;
        }
    }
}
