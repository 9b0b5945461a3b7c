using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;

namespace WalService.Core.FrontDoor;

/// <summary>
/// A replicated message's status from its regions': each region's is its replica's once the message was split, and
/// the message's own before. The message is APPLIED once every region is, DEAD_LETTERED once every region is applied
/// or dead-lettered and one at least is dead-lettered, and otherwise stands where its least advanced region does.
/// </summary>
internal static class RegionStatuses
{
    /// <summary>
    /// <paramref name="message"/>'s status with its regions; <paramref name="replicas"/> holds each region's replica
    /// status, null where the message was not split for that region (yet).
    /// </summary>
    public static MessageStatus Combine(MessageStatus message, IReadOnlyList<(string Region, MessageStatus? Replica)> replicas)
    {
        var split = message.State == MessageState.Applied;
        var combined = new MessageStatus { MessageId = message.MessageId };
        foreach (var (region, replica) in replicas)
        {
            if (replica is null && split)
            {
                // Split before this region was added: it never had the message.
                continue;
            }

            var source = replica ?? message;
            combined.Regions.Add(new RegionStatus
            {
                Region = region,
                State = source.State,
                Attempts = source.Attempts,
                LastError = source.LastError,
                NextAttemptAt = source.NextAttemptAt,
                AppliedAt = replica?.AppliedAt,
            });
        }

        if (combined.Regions.Count == 0)
        {
            return message;
        }

        var least = combined.Regions.MinBy(r => Advance(r.State))!;
        combined.State = combined.Regions.All(r => r.State == MessageState.Applied) ? MessageState.Applied
            : combined.Regions.All(r => r.State is MessageState.Applied or MessageState.DeadLettered) ? MessageState.DeadLettered
            : least.State;
        var representative = combined.State == MessageState.DeadLettered
            ? combined.Regions.First(r => r.State == MessageState.DeadLettered)
            : least;
        combined.Attempts = representative.Attempts;
        combined.LastError = representative.LastError;
        combined.NextAttemptAt = representative.NextAttemptAt;
        combined.AppliedAt = combined.State == MessageState.Applied ? combined.Regions.Max(r => r.AppliedAt?.ToDateTimeOffset())?.ToTimestamp() : null;
        return combined;
    }

    /// <summary>How far a state is on the way to its end; dead-lettered and applied are ends.</summary>
    private static int Advance(MessageState state) => state switch
    {
        MessageState.Staging => 0,
        MessageState.Delayed => 1,
        MessageState.Pending => 2,
        MessageState.RetryScheduled => 3,
        MessageState.InFlight => 4,
        MessageState.DeadLettered => 5,
        MessageState.Applied => 6,
        _ => -1,
    };
}
