using Confluent.Kafka;
using WalService.Core.Model;

namespace WalService.Kafka;

/// <summary>
/// The records of one assigned partition that this instance has read and not yet finished, in offset order. A record
/// is handed out when it is due and no earlier unfinished record of the partition has its ordering key; a record is
/// finished when it was applied, moved to the retry or dead-letter topic, or its partition was handed over. The
/// committable offset is the first unfinished one, so a crash re-reads only unfinished records. Not thread-safe: the
/// owning <see cref="KafkaNamespaceConsumer"/> locks.
/// </summary>
internal sealed class PartitionBuffer(TopicPartition partition, int verifyFirst = 0)
{
    private readonly Queue<BufferedRecord> _records = new();
    private long _nextOffset = -1;
    private int _verifyLeft = verifyFirst;

    public TopicPartition Partition { get; } = partition;

    /// <summary>Records read and not finished.</summary>
    public int Unfinished { get; private set; }

    public bool Paused { get; set; }

    /// <summary>No new leases: the partition is being handed over.</summary>
    public bool Revoking { get; set; }

    /// <summary>The offset to commit, or null when nothing was read yet.</summary>
    public long? CommitOffset => _records.TryPeek(out var head) ? head.Offset : _nextOffset < 0 ? null : _nextOffset;

    public long? CommittedOffset { get; set; }

    /// <summary>
    /// The partition's end offset as the first fetch here reported it, or null until known. Records from there on were
    /// written after the partition came here, so no previous owner can have delivered them: they are not checked
    /// against the ledger (which would cost a query before their delivery).
    /// </summary>
    public long? EndAtAssignment { get; set; }

    public BufferedRecord Add(long offset, Envelope envelope)
    {
        var readAgain = EndAtAssignment is not { } end || offset < end;
        var record = new BufferedRecord(this, offset, envelope) { Verify = readAgain && _verifyLeft-- > 0 };
        _records.Enqueue(record);
        _nextOffset = offset + 1;
        Unfinished++;
        return record;
    }

    /// <summary>
    /// Leases due records (and those whose lease ran out) into <paramref name="leased"/>, up to its capacity, in
    /// offset order, skipping any whose ordering key has an earlier unfinished record here.
    /// </summary>
    public void LeaseDue(DateTimeOffset now, DateTimeOffset leaseUntil, List<BufferedRecord> leased, int max)
    {
        if (Revoking)
        {
            return;
        }

        HashSet<string>? heldKeys = null;
        foreach (var record in _records)
        {
            if (leased.Count >= max)
            {
                return;
            }

            if (record.State == RecordState.Finished)
            {
                continue;
            }

            var key = Replicas.OrderingScope(record.Envelope.Meta);
            var keyFree = key.Length == 0 || heldKeys is null || !heldKeys.Contains(key);
            var available = record.State == RecordState.Waiting || record.LeasedUntil <= now;
            if (keyFree && available && record.Envelope.DeliverAt <= now)
            {
                record.State = RecordState.Leased;
                record.LeasedUntil = leaseUntil;
                leased.Add(record);
            }

            if (key.Length > 0)
            {
                (heldKeys ??= new HashSet<string>(StringComparer.Ordinal)).Add(key);
            }
        }
    }

    /// <summary>
    /// The next moment at which a record here may become available: <paramref name="now"/> for one <see cref="LeaseDue"/>
    /// would hand out already (it fell due after the last lease), else when a waiting record falls due or a lease runs
    /// out. Records due already but held back by their ordering key become available when the record holding the key
    /// finishes, which the consumer announces.
    /// </summary>
    public DateTimeOffset? NextDue(DateTimeOffset now)
    {
        DateTimeOffset? next = null;
        HashSet<string>? heldKeys = null;
        foreach (var record in _records)
        {
            if (record.State == RecordState.Finished)
            {
                continue;
            }

            var key = Replicas.OrderingScope(record.Envelope.Meta);
            var keyFree = key.Length == 0 || heldKeys is null || !heldKeys.Contains(key);
            var at = record.State switch
            {
                RecordState.Waiting when record.Envelope.DeliverAt > now => record.Envelope.DeliverAt,
                RecordState.Waiting when keyFree && !Revoking => now,
                RecordState.Leased => record.LeasedUntil,
                _ => (DateTimeOffset?)null,
            };
            if (at is not null && (next is null || at < next))
            {
                next = at;
            }

            if (key.Length > 0)
            {
                (heldKeys ??= new HashSet<string>(StringComparer.Ordinal)).Add(key);
            }
        }

        return next;
    }

    public void Finish(BufferedRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.State == RecordState.Finished)
        {
            return;
        }

        record.State = RecordState.Finished;
        Unfinished--;
        while (_records.TryPeek(out var head) && head.State == RecordState.Finished)
        {
            _records.Dequeue();
        }
    }

    /// <summary>Counts records by state for the backlog: due and waiting, not yet due, leased.</summary>
    public (long Pending, long Delayed, long InFlight, DateTimeOffset? OldestDue) Count(DateTimeOffset now)
    {
        long pending = 0, delayed = 0, inFlight = 0;
        DateTimeOffset? oldest = null;
        foreach (var record in _records)
        {
            switch (record.State)
            {
                case RecordState.Leased:
                    inFlight++;
                    break;
                case RecordState.Waiting when record.Envelope.DeliverAt <= now:
                    pending++;
                    oldest = oldest is null || record.Envelope.DeliverAt < oldest ? record.Envelope.DeliverAt : oldest;
                    break;
                case RecordState.Waiting:
                    delayed++;
                    break;
            }
        }

        return (pending, delayed, inFlight, oldest);
    }
}

internal enum RecordState
{
    Waiting,
    Leased,
    Finished,
}

/// <summary>One record of a <see cref="PartitionBuffer"/>.</summary>
internal sealed class BufferedRecord(PartitionBuffer buffer, long offset, Envelope envelope)
{
    public PartitionBuffer Buffer { get; } = buffer;

    public long Offset { get; } = offset;

    /// <summary>The message; replaced when it is retried in place.</summary>
    public Envelope Envelope { get; set; } = envelope;

    public RecordState State { get; set; }

    public DateTimeOffset LeasedUntil { get; set; }

    /// <summary>The token of its current lease; a verdict carrying another token is stale.</summary>
    public long LeaseToken { get; set; }

    /// <summary>
    /// Read soon after the partition was assigned and not leased since: the previous owner may have finished it without
    /// managing to commit (a commit during a rebalance can fail), or begun delivering it, so the ledger is asked before
    /// its first delivery here.
    /// </summary>
    public bool Verify { get; set; }
}
