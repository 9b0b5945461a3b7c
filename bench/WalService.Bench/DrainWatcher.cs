using System.Diagnostics;
using Grpc.Core;
using WalService.Api.V1;

namespace WalService.Bench;

/// <summary>Whether the consumers delivered everything a write phase wrote, and how long after the phase it took.</summary>
/// <param name="Drained">Everything written was applied (or dead-lettered) before the deadline.</param>
/// <param name="Elapsed">From the end of the phase until it drained, or until the deadline.</param>
/// <param name="Written">Messages the server counted as durable during the phase; -1 when unknown (no /metrics).</param>
/// <param name="Applied">Messages applied since the phase began; -1 when unknown.</param>
/// <param name="DeadLettered">Messages dead-lettered since the phase began; -1 when unknown.</param>
/// <param name="LastMessageState">State of the phase's latest message id when the watch ended.</param>
/// <param name="Method">How it was judged.</param>
/// <param name="AppliedPerSecond">Deliveries applied per second while the watch lasted; null when unknown or too short to tell.</param>
internal sealed record DrainResult(bool Drained, TimeSpan Elapsed, long Written, long Applied, long DeadLettered, string LastMessageState, string Method, double? AppliedPerSecond);

/// <summary>
/// Polls until a write phase's messages are delivered. With <c>/metrics</c>: the namespace's applied + dead-lettered
/// deliveries since the phase began reach its durable writes, and the latest message id reads APPLIED. Without it:
/// only the latest message id reads APPLIED, which is weaker (messages without an ordering key have no order).
/// </summary>
internal sealed class DrainWatcher(WriteAheadLog.WriteAheadLogClient log, Probe probe, string ns, TimeSpan timeout)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public async Task<DrainResult> WatchAsync(ProbeSnapshot beforePhase, string? lastMessageId, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var method = probe.HasMetrics ? "wal_deliveries_total vs wal_writes_total, and GetMessageStatus of the last id" : "GetMessageStatus of the last id only";
        long written = -1, applied = -1, deadLettered = -1;
        var state = "none written";
        ProbeSnapshot? first = null, last = null;
        while (true)
        {
            var countsDone = true;
            if (probe.HasMetrics)
            {
                var now = last = await probe.TakeAsync(cancellationToken);
                first ??= now;
                if (now.Counts is { } c && beforePhase.Counts is { } b)
                {
                    written = c.Written - b.Written;
                    applied = c.Applied - b.Applied;
                    deadLettered = c.DeadLettered - b.DeadLettered;
                    countsDone = applied + deadLettered >= written;
                }
                else
                {
                    countsDone = false;
                }
            }

            if (lastMessageId is not null)
            {
                state = await StateOfAsync(lastMessageId, cancellationToken);
            }

            var lastDone = lastMessageId is null || state is nameof(MessageState.Applied) or nameof(MessageState.DeadLettered);
            var elapsed = Stopwatch.GetElapsedTime(started);
            if ((countsDone && lastDone) || elapsed >= timeout)
            {
                return new DrainResult(countsDone && lastDone, elapsed, written, applied, deadLettered, state, method, Rate(first, last));
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    private static double? Rate(ProbeSnapshot? first, ProbeSnapshot? last)
    {
        if (first?.Counts is not { } a || last?.Counts is not { } b)
        {
            return null;
        }

        var seconds = ProbeSnapshot.Elapsed(first, last).TotalSeconds;
        return seconds >= 0.5 ? (b.Applied - a.Applied) / seconds : null;
    }

    private async Task<string> StateOfAsync(string messageId, CancellationToken cancellationToken)
    {
        try
        {
            var status = await log.GetMessageStatusAsync(
                new GetMessageStatusRequest { Namespace = ns, MessageId = messageId },
                deadline: DateTime.UtcNow.AddSeconds(5),
                cancellationToken: cancellationToken);
            return status.State.ToString();
        }
        catch (RpcException ex)
        {
            return ex.StatusCode.ToString();
        }
    }
}
