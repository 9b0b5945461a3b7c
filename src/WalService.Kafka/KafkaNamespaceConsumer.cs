using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using WalService.Core.Abstractions;
using WalService.Core.Model;

namespace WalService.Kafka;

/// <summary>
/// This instance's share of one namespace's topics: a member of the namespace's consumer group, subscribed to its
/// topic and retry topic. A dedicated thread polls, keeps what it read in one <see cref="PartitionBuffer"/> per
/// assigned partition and commits each partition's first unfinished offset, so offsets move only past records that
/// were applied, sent for retry or dead-lettered. A partition with <see cref="KafkaOptions.MaxBufferedPerPartition"/>
/// records waiting is paused until some are done, so records not yet due are held, not polled again and again. On a
/// rebalance, revoked partitions stop handing out records, wait (up to <see cref="KafkaOptions.RevokeGrace"/>) for
/// deliveries under way, and commit what is done before they go.
/// </summary>
internal sealed class KafkaNamespaceConsumer : IDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan CommitInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MissingTopicCheck = TimeSpan.FromSeconds(1);
    private const int MaxRecordsPerPoll = 500;

    private readonly object _gate = new();
    private readonly Dictionary<TopicPartition, PartitionBuffer> _buffers = [];
    private readonly Dictionary<long, BufferedRecord> _leases = [];
    private readonly string _ns;
    private readonly KafkaNamespace _kafka;
    private readonly KafkaOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action _workArrived;
    private readonly KafkaClusters _clusters;
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _commitEvery = (long)(CommitInterval.TotalSeconds * Stopwatch.Frequency);
    private volatile bool _stopping;
    /// <summary>A subscribed topic was missing and exists now: this consumer ends so a new one subscribes afresh.</summary>
    private volatile bool _resubscribe;
    private long _missingCheckedAt;
    private bool _topicMissing;
    /// <summary>Lease tokens are unique in the process, so a late verdict for a replaced consumer's lease matches nothing.</summary>
    private static long _lastToken;
    private long _lastCommit;

    public KafkaNamespaceConsumer(string ns, KafkaNamespace kafka, KafkaClusters clusters, TimeProvider time, ILogger logger, Action workArrived)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentNullException.ThrowIfNull(clusters);
        _ns = ns;
        _kafka = kafka;
        _options = clusters.Options;
        _time = time;
        _logger = logger;
        _workArrived = workArrived;
        _clusters = clusters;
        _consumer = new ConsumerBuilder<byte[], byte[]>(clusters.ConsumerConfig(kafka.Cluster, clusters.Options.ConsumerGroupPrefix + ns, member: true))
            .SetLogHandler((_, m) => clusters.LogLine(m))
            .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
            .SetPartitionsRevokedHandler((_, partitions) => OnRevoked(partitions))
            .SetPartitionsLostHandler((_, partitions) => OnLost(partitions))
            .Build();
    }

    /// <summary>Partitions of the topic and retry topic assigned to this instance now.</summary>
    public int AssignedPartitions
    {
        get
        {
            lock (_gate)
            {
                return _buffers.Count;
            }
        }
    }

    /// <summary>
    /// Per assigned partition, records past the offset to commit: the high watermark librdkafka last saw minus the
    /// first unfinished offset. Partitions not read from yet are left out.
    /// </summary>
    public IReadOnlyList<(TopicPartition Partition, long Lag)> Lag()
    {
        List<(TopicPartition Partition, long From)> positions;
        lock (_gate)
        {
            positions = [.. _buffers.Values.Where(b => b.CommitOffset is not null).Select(b => (b.Partition, b.CommitOffset!.Value))];
        }

        var lags = new List<(TopicPartition Partition, long Lag)>(positions.Count);
        foreach (var (partition, from) in positions)
        {
            var high = _consumer.GetWatermarkOffsets(partition).High;
            if (high != Offset.Unset)
            {
                lags.Add((partition, Math.Max(0, high.Value - from)));
            }
        }

        return lags;
    }

    public void Start()
    {
        _consumer.Subscribe([_kafka.Topic, _kafka.RetryTopic]);
        new Thread(Run) { IsBackground = true, Name = $"kafka-consumer {_ns}" }.Start();
    }

    /// <summary>
    /// The polling thread ended without being asked to (a fatal client error, or a subscribed topic that was missing
    /// appeared); the consumer must be replaced.
    /// </summary>
    public bool Failed => _stopped.Task.IsCompleted && !_stopping;

    /// <summary>Leaves the group after committing what is done; the next owner takes the rest.</summary>
    public Task StopAsync()
    {
        _stopping = true;
        return _stopped.Task;
    }

    public void Dispose() => _consumer.Dispose();

    /// <summary>Leases due records; <c>Verify</c> marks those to check against the ledger before delivery (once: at their first lease).</summary>
    public IReadOnlyList<(LeasedMessage Message, bool Verify)> Lease(int max, DateTimeOffset now, TimeSpan lease)
    {
        var records = new List<BufferedRecord>();
        lock (_gate)
        {
            foreach (var buffer in _buffers.Values)
            {
                buffer.LeaseDue(now, now + lease, records, max);
            }

            var leased = new List<(LeasedMessage, bool)>(records.Count);
            foreach (var record in records)
            {
                _leases.Remove(record.LeaseToken);
                record.LeaseToken = Interlocked.Increment(ref _lastToken);
                _leases[record.LeaseToken] = record;
                leased.Add((new LeasedMessage(record.Envelope, Math.Max(1, record.Envelope.Meta.Attempt), record.LeaseToken), record.Verify));
                record.Verify = false;
            }

            return leased;
        }
    }

    /// <summary>
    /// The leased message as attempt <paramref name="attempt"/> (deliveries begun before this consumer read it count);
    /// its record keeps that attempt if the lease is given back. A stale lease changes nothing here.
    /// </summary>
    public LeasedMessage Recount(LeasedMessage message, int attempt)
    {
        ArgumentNullException.ThrowIfNull(message);
        var recounted = message.Envelope.Rescheduled(message.Envelope.DeliverAt, attempt);
        lock (_gate)
        {
            if (_leases.TryGetValue(message.LeaseToken, out var record))
            {
                record.Envelope = recounted;
            }
        }

        return new LeasedMessage(recounted, attempt, message.LeaseToken);
    }

    public DateTimeOffset? NextDue(DateTimeOffset now)
    {
        lock (_gate)
        {
            return _buffers.Values.Select(b => b.NextDue(now)).Where(d => d is not null).Min();
        }
    }

    /// <summary>
    /// Ends every lease: the subscription that handed them out stopped, so their verdicts will not come. Their records
    /// are available again at once, for the subscription that takes this consumer over.
    /// </summary>
    public void ForgetLeases()
    {
        lock (_gate)
        {
            foreach (var record in _leases.Values.Where(r => r.State == RecordState.Leased))
            {
                record.State = RecordState.Waiting;
            }

            _leases.Clear();
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Whether the lease still holds its record (it was not handed over or taken back meanwhile).</summary>
    public bool Holds(LeasedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_gate)
        {
            return _leases.ContainsKey(message.LeaseToken);
        }
    }

    /// <summary>The record is done here: applied, or handed to the retry or dead-letter topic. A stale lease is ignored.</summary>
    public void Finish(LeasedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_gate)
        {
            if (_leases.Remove(message.LeaseToken, out var record))
            {
                record.Buffer.Finish(record);
                Monitor.PulseAll(_gate);
            }
        }

        // A record held back by this one's ordering key may be free now.
        _workArrived();
    }

    /// <summary>
    /// Makes the record available again (a lease given back, or a retry in place with <paramref name="retried"/>, the
    /// envelope with its next due time and attempt). A stale lease is ignored.
    /// </summary>
    public void Return(LeasedMessage message, Envelope? retried = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_gate)
        {
            if (_leases.Remove(message.LeaseToken, out var record))
            {
                record.Envelope = retried ?? record.Envelope;
                record.State = RecordState.Waiting;
                Monitor.PulseAll(_gate);
            }
        }

        _workArrived();
    }

    public Backlog Backlog(DateTimeOffset now, long deadLetters)
    {
        long pending = 0, delayed = 0, inFlight = 0;
        DateTimeOffset? oldest = null;
        lock (_gate)
        {
            foreach (var buffer in _buffers.Values)
            {
                var (p, d, f, o) = buffer.Count(now);
                pending += p;
                delayed += d;
                inFlight += f;
                oldest = o is not null && (oldest is null || o < oldest) ? o : oldest;
            }
        }

        return new Backlog(pending, delayed, inFlight, deadLetters, oldest);
    }

    private void Run()
    {
        try
        {
            while (!_stopping && !_resubscribe)
            {
                try
                {
                    Poll();
                    CommitFinished(force: false);
                    AdjustPauses();
                    CheckMissingTopics();
                }
                catch (KafkaException ex) when (!ex.Error.IsFatal)
                {
                    KafkaLogEvents.ConsumeFailed(_logger, _ns, ex.Error.Reason);
                }
            }

            CommitFinished(force: true);
            _consumer.Close();
        }
        catch (Exception ex)
        {
            KafkaLogEvents.ConsumerDied(_logger, ex, _ns);
        }
        finally
        {
            _stopped.TrySetResult();
            if (_resubscribe)
            {
                // The worker's next lease starts the consumer that replaces this one.
                _workArrived();
            }
        }
    }

    /// <summary>
    /// librdkafka looks for a subscribed topic that did not exist only at its next metadata refresh (minutes), so while
    /// one is missing this lists the cluster's topics every <see cref="MissingTopicCheck"/>; once all exist, the
    /// consumer ends and its replacement subscribes with them (<see cref="Failed"/>).
    /// </summary>
    private void CheckMissingTopics()
    {
        var now = Stopwatch.GetTimestamp();
        if (!_topicMissing || Stopwatch.GetElapsedTime(_missingCheckedAt, now) < MissingTopicCheck)
        {
            return;
        }

        _missingCheckedAt = now;
        if (KafkaTopics.Partitions(_clusters, _kafka.Cluster, MissingTopicCheck) is { } topics
            && topics.ContainsKey(_kafka.Topic) && topics.ContainsKey(_kafka.RetryTopic))
        {
            KafkaLogEvents.TopicAppeared(_logger, _ns);
            _resubscribe = true;
        }
    }

    private void Poll()
    {
        var added = 0;
        var timeout = PollTimeout;
        while (added < MaxRecordsPerPoll)
        {
            ConsumeResult<byte[], byte[]>? record;
            try
            {
                record = _consumer.Consume(timeout);
            }
            catch (ConsumeException ex) when (ex.Error.Code == ErrorCode.UnknownTopicOrPart)
            {
                if (!_topicMissing)
                {
                    _topicMissing = true;
                    _missingCheckedAt = Stopwatch.GetTimestamp();
                    KafkaLogEvents.ConsumeFailed(_logger, _ns, ex.Error.Reason);
                }

                break;
            }
            catch (ConsumeException ex)
            {
                KafkaLogEvents.ConsumeFailed(_logger, _ns, ex.Error.Reason);
                break;
            }

            if (record?.Message is null)
            {
                break;
            }

            Add(record);
            added++;
            timeout = TimeSpan.Zero;
        }

        if (added > 0)
        {
            _workArrived();
        }
    }

    private void Add(ConsumeResult<byte[], byte[]> record)
    {
        lock (_gate)
        {
            if (!_buffers.TryGetValue(record.TopicPartition, out var buffer))
            {
                return;
            }

            if (buffer.EndAtAssignment is null && _consumer.GetWatermarkOffsets(record.TopicPartition).High is { } high && high > record.Offset)
            {
                // Known from the fetch that brought this record; above its offset, so not left over from an earlier assignment.
                buffer.EndAtAssignment = high.Value;
            }

            try
            {
                var envelope = EnvelopeHeaders.FromRecord(record, _ns);
                buffer.Add(record.Offset.Value, envelope);
            }
            catch (Exception ex) when (ex is Google.Protobuf.InvalidProtocolBufferException or FormatException)
            {
                KafkaLogEvents.Unreadable(_logger, record.Topic, record.Partition.Value, record.Offset.Value, _ns, ex.Message);
                buffer.Finish(buffer.Add(record.Offset.Value, EnvelopeHeaders.Placeholder(record, _ns)));
            }

            if (!buffer.Paused && buffer.Unfinished >= _options.MaxBufferedPerPartition)
            {
                _consumer.Pause([buffer.Partition]);
                buffer.Paused = true;
            }
        }
    }

    private void AdjustPauses()
    {
        List<TopicPartition> resume;
        lock (_gate)
        {
            resume = [.. _buffers.Values.Where(b => b.Paused && b.Unfinished <= _options.MaxBufferedPerPartition / 2).Select(b => b.Partition)];
            foreach (var partition in resume)
            {
                _buffers[partition].Paused = false;
            }
        }

        if (resume.Count > 0)
        {
            _consumer.Resume(resume);
        }
    }

    private void CommitFinished(bool force, IEnumerable<TopicPartition>? only = null)
    {
        var now = Stopwatch.GetTimestamp();
        if (!force && now - _lastCommit < _commitEvery)
        {
            return;
        }

        _lastCommit = now;
        List<(PartitionBuffer Buffer, long Offset)> due;
        lock (_gate)
        {
            var buffers = only is null ? _buffers.Values : only.Select(p => _buffers.GetValueOrDefault(p)).OfType<PartitionBuffer>();
            due = [.. buffers
                .Where(b => b.CommitOffset is not null && b.CommitOffset != b.CommittedOffset)
                .Select(b => (b, b.CommitOffset!.Value))];
        }

        if (due.Count == 0)
        {
            return;
        }

        try
        {
            _consumer.Commit(due.Select(d => new TopicPartitionOffset(d.Buffer.Partition, d.Offset)));
            lock (_gate)
            {
                foreach (var (buffer, offset) in due)
                {
                    buffer.CommittedOffset = offset;
                }
            }
        }
        catch (KafkaException ex)
        {
            KafkaLogEvents.CommitFailed(_logger, ex, _ns);
        }
    }

    private void OnAssigned(List<TopicPartition> partitions)
    {
        lock (_gate)
        {
            foreach (var partition in partitions)
            {
                _buffers[partition] = new PartitionBuffer(partition, _options.MaxBufferedPerPartition);
            }
        }

        KafkaLogEvents.Assigned(_logger, _ns, Describe(partitions));
    }

    private void OnRevoked(List<TopicPartitionOffset> revoked)
    {
        var partitions = revoked.Select(p => p.TopicPartition).ToList();
        var deadline = _time.GetUtcNow() + _options.RevokeGrace;
        lock (_gate)
        {
            var buffers = partitions.Select(p => _buffers.GetValueOrDefault(p)).OfType<PartitionBuffer>().ToList();
            buffers.ForEach(b => b.Revoking = true);
            while (_leases.Values.Any(r => r.Buffer.Revoking) && deadline - _time.GetUtcNow() is { } left && left > TimeSpan.Zero)
            {
                Monitor.Wait(_gate, left);
            }
        }

        CommitFinished(force: true, partitions);
        var unfinished = Drop(partitions);
        KafkaLogEvents.Revoked(_logger, _ns, Describe(partitions), unfinished);
    }

    private void OnLost(List<TopicPartitionOffset> lost)
    {
        var partitions = lost.Select(p => p.TopicPartition).ToList();
        Drop(partitions);
        KafkaLogEvents.Lost(_logger, _ns, Describe(partitions));
    }

    /// <summary>Forgets the partitions' records and leases; verdicts that come later for them are stale.</summary>
    private int Drop(List<TopicPartition> partitions)
    {
        lock (_gate)
        {
            var unfinished = 0;
            foreach (var partition in partitions)
            {
                if (_buffers.Remove(partition, out var buffer))
                {
                    unfinished += buffer.Unfinished;
                }
            }

            foreach (var token in _leases.Where(l => !_buffers.ContainsKey(l.Value.Buffer.Partition)).Select(l => l.Key).ToList())
            {
                _leases.Remove(token);
            }

            return unfinished;
        }
    }

    private static string Describe(IEnumerable<TopicPartition> partitions) =>
        partitions.Any() ? string.Join(", ", partitions.Select(p => $"{p.Topic}[{p.Partition.Value}]")) : "nothing";
}
