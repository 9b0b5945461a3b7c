using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using WalService.Core.Telemetry;

namespace WalService.Sqs;

/// <summary>
/// The SQS backend's instruments, on the service's meter (<see cref="WalMetrics.MeterName"/>): send latency and errors
/// by queue, messages per receive and visibility changes by namespace, and queue depth by namespace. The depth is the
/// last count the runtime's backlog refresh got from <c>GetQueueAttributes</c>, so a scrape makes no call to SQS.
/// Retries and dead letters are the runtime's <c>wal.deliveries</c> and <c>wal.dead_letters</c>.
/// </summary>
internal sealed class SqsMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly Histogram<double> _sendDuration;
    private readonly Counter<long> _sendErrors;
    private readonly Histogram<long> _receiveMessages;
    private readonly Counter<long> _visibilityChanges;
    private readonly ConcurrentDictionary<string, (long Visible, long InFlight, long Delayed)> _depths = new(StringComparer.Ordinal);

    public SqsMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(WalMetrics.MeterName);
        _sendDuration = _meter.CreateHistogram<double>("wal.sqs.send.duration", "s", "Time of one SendMessageBatch call, by queue and outcome (sent, partly_failed, refused, unknown).");
        _sendErrors = _meter.CreateCounter<long>("wal.sqs.send.errors", "{message}", "Messages SQS did not confirm, by queue and error code.");
        _receiveMessages = _meter.CreateHistogram<long>(
            "wal.sqs.receive.messages",
            "{message}",
            "Messages one ReceiveMessage call brought, by namespace.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [0, 1, 2, 5, 10] });
        _visibilityChanges = _meter.CreateCounter<long>("wal.sqs.visibility.changes", "{message}", "ChangeMessageVisibility calls, by namespace and reason (retry, hide_until_due, extend, return).");
        _meter.CreateObservableGauge("wal.sqs.queue.depth", ObserveDepth, "{message}", "Messages in the namespace's queue as SQS last counted them, by namespace and state (visible, in_flight, delayed).");
    }

    public void Sent(string queue, long startedAt, string outcome) =>
        _sendDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, new TagList { { "queue", queue }, { "outcome", outcome } });

    public void SendFailed(string queue, string error, int count) =>
        _sendErrors.Add(count, new TagList { { "queue", queue }, { "error", error } });

    public void Received(string ns, int count) => _receiveMessages.Record(count, new KeyValuePair<string, object?>("namespace", ns));

    public void VisibilityChanged(string ns, string reason) => _visibilityChanges.Add(1, new TagList { { "namespace", ns }, { "reason", reason } });

    /// <summary>Keeps the namespace's latest queue counts for the depth gauge.</summary>
    public void SetDepth(string ns, long visible, long inFlight, long delayed) => _depths[ns] = (visible, inFlight, delayed);

    /// <summary>Stops reporting the depth of a namespace that is gone.</summary>
    public void Forget(string ns) => _depths.TryRemove(ns, out _);

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveDepth()
    {
        foreach (var (ns, d) in _depths)
        {
            yield return new Measurement<long>(d.Visible, new("namespace", ns), new("state", "visible"));
            yield return new Measurement<long>(d.InFlight, new("namespace", ns), new("state", "in_flight"));
            yield return new Measurement<long>(d.Delayed, new("namespace", ns), new("state", "delayed"));
        }
    }
}
