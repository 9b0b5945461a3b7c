using WalService.Api.V1;
using WalService.Core.Validation;

namespace WalService.Core.Administration;

/// <summary>A namespace's dead letters: listed, redriven into the log, purged.</summary>
public sealed partial class NamespaceAdministrator
{
    /// <summary>The namespace's dead letters in message-id order; <paramref name="pageSize"/> 0 asks for the default page.</summary>
    public async Task<Page<DeadLetter>> ListDeadLettersAsync(string @namespace, int pageSize, string pageToken, CancellationToken cancellationToken)
    {
        var ns = await NamespaceLookup.ResolveAsync(_registry, @namespace, "namespace", cancellationToken);
        var size = PageTokens.Size(pageSize);
        var backend = NamespaceLookup.Backend(_backends, ns);
        var read = await backend.ListDeadLettersAsync(ns.Name, size + 1, PageTokens.Decode(pageToken), cancellationToken);
        return Page<DeadLetter>.Of(read, size, d => d.MessageId);
    }

    /// <summary>
    /// Puts the dead letters named (all when <paramref name="messageIds"/> is empty) back in the log with a fresh
    /// attempt budget, at most <paramref name="maxPerSecond"/> falling due a second (0 = no limit), and wakes this
    /// instance's consumer of the namespace. Answers how many were redriven.
    /// </summary>
    public async Task<long> RedriveDeadLettersAsync(string @namespace, IReadOnlyList<string> messageIds, int maxPerSecond, CancellationToken cancellationToken)
    {
        RequireMessageIds(messageIds);
        var ns = await NamespaceLookup.ResolveAsync(_registry, @namespace, "namespace", cancellationToken);
        if (maxPerSecond < 0)
        {
            throw RequestRejectedException.Invalid("max_per_second must not be negative (0 = no limit)");
        }

        var redriven = await NamespaceLookup.Backend(_backends, ns).RedriveAsync(ns.Name, messageIds, maxPerSecond, _time.GetUtcNow(), cancellationToken);
        _signals.Notify(ns.Name);
        return redriven;
    }

    /// <summary>Removes the dead letters named (all when <paramref name="messageIds"/> is empty) for good; answers how many.</summary>
    public async Task<long> PurgeDeadLettersAsync(string @namespace, IReadOnlyList<string> messageIds, CancellationToken cancellationToken)
    {
        RequireMessageIds(messageIds);
        var ns = await NamespaceLookup.ResolveAsync(_registry, @namespace, "namespace", cancellationToken);
        return await NamespaceLookup.Backend(_backends, ns).PurgeAsync(ns.Name, messageIds, cancellationToken);
    }

    private static void RequireMessageIds(IReadOnlyList<string> ids)
    {
        if (RequestLimits.MessageIds(ids, "message_ids") is { } invalid)
        {
            throw RequestRejectedException.Invalid(invalid);
        }
    }
}
