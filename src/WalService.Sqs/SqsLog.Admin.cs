using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Validation;

namespace WalService.Sqs;

/// <summary>Validation, queues, status, backlog and readiness of SQS namespaces.</summary>
internal sealed partial class SqsLog
{
    private static readonly TimeSpan MaxPollWait = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan MaxVisibilityTimeout = TimeSpan.FromHours(12);

    private static readonly List<string> CountAttributes =
        ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"];

    public IEnumerable<string> Validate(NamespaceConfig config, NamespaceConfig? current)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.BackendCase != NamespaceConfig.BackendOneofCase.Sqs)
        {
            yield break;
        }

        if (config.MaxPayloadBytes > SqsMessages.MaxPayloadBytes)
        {
            yield return $"config.max_payload_bytes {config.MaxPayloadBytes} is more than an SQS message carries: at most {SqsMessages.MaxPayloadBytes} (0 = that limit)";
        }

        // SqsNamespace converts the Durations, which must be within protobuf's range first.
        var malformed = new[] { TimeRules.WellFormed(config.Sqs.PollInterval, "config.sqs.poll_interval"), TimeRules.WellFormed(config.Sqs.VisibilityTimeout, "config.sqs.visibility_timeout") };
        foreach (var error in malformed.OfType<string>())
        {
            yield return error;
        }

        if (malformed.Any(e => e is not null))
        {
            yield break;
        }

        var sqs = SqsNamespace.From(config);
        foreach (var (field, queue) in new[] { ("queue_name", sqs.Queue), ("dlq_queue_name", sqs.DlqQueue) })
        {
            if (!SqsQueues.IsLegalName(queue, sqs.Fifo))
            {
                yield return sqs.Fifo
                    ? $"config.sqs.{field} {ClientText.Quote(queue)} is not a valid FIFO queue name ({SqsQueues.FifoNameRule})"
                    : $"config.sqs.{field} {ClientText.Quote(queue)} is not a valid standard queue name ({SqsQueues.NameRule}; a FIFO queue needs config.sqs.fifo)";
            }
        }

        if (NamespaceSettings.ResolveRetry(config.Retry).MaxAttempts >= _queues.Options.BackstopReceiveCount)
        {
            yield return $"config.retry.max_attempts must be below Wal:Sqs:BackstopReceiveCount ({_queues.Options.BackstopReceiveCount}): SQS moves a message received that often to the dead-letter queue itself";
        }

        if (sqs.Queue == sqs.DlqQueue)
        {
            yield return "config.sqs: queue_name and dlq_queue_name must be two different queues";
        }

        if (config.Sqs.PollInterval is not null && (sqs.PollWait < TimeSpan.FromSeconds(1) || sqs.PollWait > MaxPollWait))
        {
            yield return "config.sqs.poll_interval must be between 1 s and 20 s (the long-poll wait of one receive)";
        }

        if (config.Sqs.MaxMessagesPerPoll is < 0 or > SqsMessages.MaxBatch)
        {
            yield return "config.sqs.max_messages_per_poll must be between 1 and 10 (0 = 10)";
        }

        if (config.Sqs.VisibilityTimeout is not null && (sqs.VisibilityTimeout < TimeSpan.FromSeconds(1) || sqs.VisibilityTimeout > MaxVisibilityTimeout))
        {
            yield return "config.sqs.visibility_timeout must be between 1 s and 12 h";
        }

        if (current?.BackendCase == NamespaceConfig.BackendOneofCase.Sqs && SqsNamespace.From(current) is var was && (was.Queue, was.DlqQueue) != (sqs.Queue, sqs.DlqQueue))
        {
            yield return $"config.sqs: queues cannot change (they are {was.Queue}, {was.DlqQueue}); create a new namespace to move";
        }
    }

    /// <summary>
    /// Creates the namespace's missing queues unless <see cref="SqsOptions.CreateQueues"/> is false, where they must
    /// exist: the dead-letter queue first, then the queue with a <c>RedrivePolicy</c> towards it as a backstop
    /// (<see cref="SqsOptions.BackstopReceiveCount"/>). Queues that exist are left as they are.
    /// </summary>
    public async Task PrepareAsync(NamespaceSettings ns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ns);
        if (ns.Backend != BackendKind.Sqs)
        {
            return;
        }

        var sqs = SqsNamespace.From(ns.Source.Config);
        await PrepareQueueAsync("dlq_queue_name", sqs.DlqQueue, sqs.Fifo, null, cancellationToken);
        await PrepareQueueAsync("queue_name", sqs.Queue, sqs.Fifo, sqs.DlqQueue, cancellationToken);
    }

    /// <summary>Messages in the namespace's queue, visible, in flight or delayed (SQS's approximate counts).</summary>
    public async Task<long> CountUndeliveredAsync(string ns, CancellationToken cancellationToken)
    {
        if (await SqsOfAsync(ns, cancellationToken) is not { } sqs)
        {
            return 0;
        }

        var (visible, notVisible, delayed) = await CountsAsync(sqs, cancellationToken);
        return visible + notVisible + delayed;
    }

    /// <summary>Stops consuming and forgets the namespace's dead letters; the queues are left to their owner.</summary>
    public override async Task DropNamespaceAsync(string ns, CancellationToken cancellationToken)
    {
        await base.DropNamespaceAsync(ns, cancellationToken);
        _queues.Metrics.Forget(ns);
    }

    /// <summary>
    /// The queue's counts (all instances together, kept for the <c>wal.sqs.queue.depth</c> gauge) and the archive's
    /// dead letters; the oldest due time is not known.
    /// </summary>
    public async Task<Backlog> GetBacklogAsync(string ns, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var deadLetters = await Ledger.DeadLetters.CountAsync(ns, cancellationToken);
        if (await SqsOfAsync(ns, cancellationToken) is not { } sqs)
        {
            return new Backlog(0, 0, 0, deadLetters, null);
        }

        var (visible, notVisible, delayed) = await CountsAsync(sqs, cancellationToken);
        _queues.Metrics.SetDepth(ns, visible, notVisible, delayed);
        return new Backlog(visible, delayed, notVisible, deadLetters, null);
    }

    /// <summary>Per SQS namespace: whether its queue and dead-letter queue can be found.</summary>
    public async Task<BackendReadiness> CheckReadinessAsync(CancellationToken cancellationToken)
    {
        var states = new Dictionary<string, NamespaceReadiness>(StringComparer.Ordinal);
        foreach (var ns in _registry.All.Where(n => n.Backend == BackendKind.Sqs))
        {
            states[ns.Name] = await ReadinessAsync(ns, SqsNamespace.From(ns.Source.Config), cancellationToken);
        }

        return new BackendReadiness(states.Values.All(s => s.Ready), states);
    }

    private async Task PrepareQueueAsync(string field, string queue, bool fifo, string? dlq, CancellationToken cancellationToken)
    {
        try
        {
            if (!_queues.Options.CreateQueues)
            {
                await _queues.UrlAsync(queue, cancellationToken);
            }
            else if (await _queues.EnsureAsync(queue, cancellationToken, await AttributesAsync(fifo, dlq, cancellationToken)))
            {
                SqsLogEvents.QueueCreated(_logger, queue);
            }
        }
        catch (QueueDoesNotExistException)
        {
            throw new ControlPlaneException(ControlPlaneError.Unavailable, $"config.sqs.{field} '{queue}' does not exist, and Wal:Sqs:CreateQueues is false");
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException)
        {
            throw new ControlPlaneException(ControlPlaneError.Unavailable, $"config.sqs.{field} '{queue}': SQS did not answer: {ex.Message}");
        }
    }

    /// <summary>A new queue's attributes: FIFO with deduplication ids given by the sender, and a backstop towards <paramref name="dlq"/>.</summary>
    private async Task<Dictionary<string, string>> AttributesAsync(bool fifo, string? dlq, CancellationToken cancellationToken)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (fifo)
        {
            attributes[QueueAttributeName.FifoQueue] = "true";
            attributes[QueueAttributeName.ContentBasedDeduplication] = "false";
        }

        if (dlq is not null)
        {
            var arn = await _queues.ArnAsync(dlq, cancellationToken);
            var count = _queues.Options.BackstopReceiveCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
            attributes[QueueAttributeName.RedrivePolicy] = $$"""{"deadLetterTargetArn":"{{arn}}","maxReceiveCount":"{{count}}"}""";
        }

        return attributes;
    }

    private async Task<NamespaceReadiness> ReadinessAsync(NamespaceSettings ns, SqsNamespace sqs, CancellationToken cancellationToken)
    {
        var missing = new List<string>();
        foreach (var queue in new[] { sqs.Queue, sqs.DlqQueue })
        {
            try
            {
                await _queues.UrlAsync(queue, cancellationToken);
            }
            catch (QueueDoesNotExistException)
            {
                missing.Add(queue);
            }
            catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException)
            {
                return new NamespaceReadiness(false, $"SQS does not answer for queue {queue}: {ex.Message}");
            }
        }

        return missing.Count > 0
            ? new NamespaceReadiness(false, $"queue(s) {string.Join(", ", missing)} missing")
            : new NamespaceReadiness(true, ns.State == NamespaceState.Paused ? "paused" : $"ready: queue {sqs.Queue}");
    }

    private async Task<(long Visible, long NotVisible, long Delayed)> CountsAsync(SqsNamespace sqs, CancellationToken cancellationToken)
    {
        var url = await _queues.UrlAsync(sqs.Queue, cancellationToken);
        var response = await _queues.Client.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = url, AttributeNames = CountAttributes }, cancellationToken);
        return (Count(response, CountAttributes[0]), Count(response, CountAttributes[1]), Count(response, CountAttributes[2]));
    }

    private static long Count(GetQueueAttributesResponse response, string attribute) =>
        response.Attributes?.TryGetValue(attribute, out var value) == true && long.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;
}
