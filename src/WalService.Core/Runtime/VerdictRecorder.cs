using System.Threading.Channels;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Telemetry;

namespace WalService.Core.Runtime;

/// <summary>
/// Hands delivery verdicts back to the subscription of one namespace worker. Deliverers queue a verdict and go on with
/// the next message at once; this loop records every verdict queued meanwhile together (in the embedded log they
/// share one commit), then frees their lease slots. So delivery is not held up by the commit of each ack.
/// </summary>
internal sealed class VerdictRecorder(ILogSubscription subscription, RuntimeServices services, Func<NamespaceSettings> settings, SemaphoreSlim slots)
{
    private readonly Channel<(LeasedMessage Message, DeliveryOutcome Outcome, DateTimeOffset At)> _verdicts =
        Channel.CreateUnbounded<(LeasedMessage, DeliveryOutcome, DateTimeOffset)>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Queues a verdict reached now: a retry's backoff counts from here, not from when the verdict is recorded.</summary>
    public void Add(LeasedMessage message, DeliveryOutcome outcome) => _verdicts.Writer.TryWrite((message, outcome, services.Time.GetUtcNow()));

    /// <summary>No more verdicts will come; <see cref="RunAsync"/> ends once the queued ones are recorded.</summary>
    public void Complete() => _verdicts.Writer.TryComplete();

    public async Task RunAsync()
    {
        var batch = new List<(LeasedMessage Message, DeliveryOutcome Outcome, DateTimeOffset At)>();
        while (await _verdicts.Reader.WaitToReadAsync())
        {
            while (_verdicts.Reader.TryRead(out var verdict))
            {
                batch.Add(verdict);
            }

            var current = settings();
            var now = services.Time.GetUtcNow();
            var applied = batch.Where(v => v.Outcome.Verdict == DeliveryVerdict.Applied).ToList();
            await Task.WhenAll(batch
                .Where(v => v.Outcome.Verdict != DeliveryVerdict.Applied)
                .Select(v => RecordFailureAsync(current, v.Message, v.Outcome, v.At, now))
                .Append(AckAsync(current, applied, now)));
            if (batch.Exists(v => v.Message.Envelope.Meta.OrderingKey.Length > 0 || IsSplit(v.Message, v.Outcome, current)))
            {
                // The next message of an ordering key, or a split message's replicas, may go now; the fetch loop may be
                // idle without knowing it.
                services.Signals.Notify(current.Name);
            }

            slots.Release(batch.Count);
            batch.Clear();
        }
    }

    private async Task AckAsync(NamespaceSettings ns, List<(LeasedMessage Message, DeliveryOutcome Outcome, DateTimeOffset At)> applied, DateTimeOffset now)
    {
        if (applied.Count == 0)
        {
            return;
        }

        try
        {
            await subscription.AckAsync([.. applied.Select(v => v.Message)], now, CancellationToken.None);
            foreach (var (message, outcome, _) in applied)
            {
                Observe(ns, message, outcome, now);
            }
        }
        catch (Exception ex)
        {
            // Not recorded: the leases run out and the messages are delivered again.
            RuntimeLog.VerdictFailed(services.Logger, ex, applied[0].Message.Envelope.MessageId, ns.Name);
        }
    }

    private static bool IsSplit(LeasedMessage message, DeliveryOutcome outcome, NamespaceSettings ns) =>
        outcome.Verdict == DeliveryVerdict.Applied && Replication.IsToSplit(message.Envelope, ns);

    /// <summary>Counts a delivery, by region for a replica; a split (its replicas enqueued) is no delivery and is not counted.</summary>
    private void Observe(NamespaceSettings ns, LeasedMessage message, DeliveryOutcome outcome, DateTimeOffset now)
    {
        if (IsSplit(message, outcome, ns))
        {
            return;
        }

        var region = message.Envelope.Meta.Region;
        services.Metrics.Delivery(ns.Name, region, outcome.Verdict, now - message.Envelope.DeliverAt);
        if (region.Length > 0)
        {
            services.Regions.Record(ns.Name, region, outcome.Verdict, outcome.Error);
        }
    }

    private async Task RecordFailureAsync(NamespaceSettings ns, LeasedMessage message, DeliveryOutcome outcome, DateTimeOffset failedAt, DateTimeOffset now)
    {
        var id = message.Envelope.MessageId;
        var error = outcome.Error ?? "unknown error";
        try
        {
            if (outcome.Verdict == DeliveryVerdict.Retry && message.Attempt < ns.Retry.MaxAttempts)
            {
                // From the failure: verdicts wait while earlier ones are recorded (a produce to a retry topic), and that
                // wait must not lengthen the backoff.
                var at = failedAt + NotSooner(Backoff.Compute(ns.Retry, message.Attempt, Random.Shared.NextDouble()), outcome.RetryAfter, ns.Retry);
                RuntimeLog.DeliveryRetry(services.Logger, id, ns.Name, message.Attempt, at, error);
                await subscription.RetryAsync(message, at, error, CancellationToken.None);
                // The fetch loop may be idle with a later idea of the next due time: let it look again.
                services.Signals.Notify(ns.Name);
            }
            else
            {
                var reason = outcome.Verdict == DeliveryVerdict.Retry
                    ? $"gave up after {message.Attempt} attempts (max_attempts {ns.Retry.MaxAttempts}): {error}"
                    : error;
                RuntimeLog.DeadLettered(services.Logger, id, ns.Name, message.Attempt, reason);
                await subscription.DeadLetterAsync(message, now, reason, CancellationToken.None);
            }

            Observe(ns, message, outcome, now);
        }
        catch (Exception ex)
        {
            // The verdict could not be recorded: the lease runs out and the message is delivered again.
            RuntimeLog.VerdictFailed(services.Logger, ex, id, ns.Name);
        }
    }

    /// <summary>
    /// The backoff, or the target's pushback (<see cref="DeliveryOutcome.RetryAfter"/>) when that is longer; a pushback
    /// counts up to <c>max_backoff</c> only, so a target cannot park a message beyond what the namespace allows.
    /// </summary>
    private static TimeSpan NotSooner(TimeSpan backoff, TimeSpan? pushback, RetrySettings retry)
    {
        if (pushback is not { } wait || wait <= backoff)
        {
            return backoff;
        }

        var allowed = retry.MaxBackoff > backoff ? retry.MaxBackoff : backoff;
        return wait < allowed ? wait : allowed;
    }
}
