using Grpc.Core;
using WalService.Api.V1;
using WalService.Core.Administration;
using WalService.Core.Model;
using WalService.Core.Runtime;
using WalService.Core.Validation;

namespace WalService.Core.FrontDoor;

/// <summary>
/// The logic of <c>GetMessageStatus</c>: a message's status, readable by the namespace's <c>allowed_clients</c> (and
/// by whoever may read every namespace), while the namespace keeps statuses and the message is within its dedup
/// window. A refused read throws <see cref="RequestRejectedException"/>.
/// </summary>
public sealed class MessageStatusReader(NamespaceRegistry registry, BackendCatalog backends, TimeProvider time)
{
    /// <param name="clientId">The caller's identity, null when it gave none.</param>
    /// <param name="anyNamespace">The caller may read every namespace's statuses (an admin): <c>allowed_clients</c> is not consulted.</param>
    public async Task<MessageStatus> GetAsync(string @namespace, string messageId, string? clientId, bool anyNamespace, CancellationToken cancellationToken)
    {
        NamespaceLookup.RequireName(@namespace, "namespace");
        if (RequestLimits.MessageId(messageId, "message_id") is { } invalidId)
        {
            throw RequestRejectedException.Invalid(invalidId);
        }

        var ns = await NamespaceLookup.ResolveAsync(registry, @namespace, "namespace", cancellationToken);
        if (!anyNamespace && ClientAccess.Check(ns, clientId) is { } refused)
        {
            throw new RequestRejectedException(refused);
        }

        if (!ns.TrackStatus)
        {
            throw new RequestRejectedException(StatusCode.FailedPrecondition, $"namespace '{ns.Name}' does not keep message status (track_status is false)");
        }

        var now = time.GetUtcNow();
        var backend = NamespaceLookup.Backend(backends, ns);
        var status = await backend.GetStatusAsync(ns.Name, messageId, now, cancellationToken);
        if (status is not null && ns.Target.Replicate is { } replicate)
        {
            var replicas = new List<(string, MessageStatus?)>(replicate.Regions.Count);
            foreach (var region in replicate.Regions)
            {
                replicas.Add((region.Region, await backend.GetStatusAsync(ns.Name, Replicas.Id(messageId, region.Region), now, cancellationToken)));
            }

            status = RegionStatuses.Combine(status, replicas);
        }

        if (status is null || Forgotten(status, ns, now))
        {
            throw new RequestRejectedException(StatusCode.NotFound, $"message_id {ClientText.Quote(messageId)} is unknown in namespace '{ns.Name}' or older than its dedup_window");
        }

        return status;
    }

    /// <summary>
    /// The dedup-window rule: an applied message is forgotten once its dedup window has passed since it was applied,
    /// though the backend may not have trimmed its status yet; a message not yet applied is never forgotten.
    /// </summary>
    internal static bool Forgotten(MessageStatus status, NamespaceSettings ns, DateTimeOffset now) =>
        status.State == MessageState.Applied && status.AppliedAt.ToDateTimeOffset() + ns.DedupWindow < now;
}
