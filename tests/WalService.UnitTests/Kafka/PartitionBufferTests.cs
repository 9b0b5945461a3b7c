using Confluent.Kafka;
using WalService.Core.Model.Storage;
using WalService.Core.Model;
using WalService.Kafka;

namespace WalService.UnitTests.Kafka;

public sealed class PartitionBufferTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    [Fact]
    public void DueRecordsAreLeasedInOffsetOrderAndLaterOnesPassOneNotYetDue()
    {
        var buffer = Buffer(("a", 0, ""), ("b", 60, ""), ("c", 0, ""));

        var leased = LeaseDue(buffer, Now);

        Assert.Equal(["a", "c"], leased.Select(r => r.Envelope.MessageId));
        Assert.Equal(Now.AddSeconds(60), buffer.NextDue(Now));
    }

    [Fact]
    public void ARecordWaitsWhileAnEarlierRecordOfItsOrderingKeyIsUnfinished()
    {
        var buffer = Buffer(("a1", 60, "k"), ("a2", 0, "k"), ("b1", 0, "other"));

        var first = LeaseDue(buffer, Now);
        buffer.Finish(first.Single());
        var whenFirstDue = LeaseDue(buffer, Now.AddSeconds(61));
        buffer.Finish(whenFirstDue.Single());
        var afterFinish = LeaseDue(buffer, Now.AddSeconds(61));

        Assert.Equal(["b1"], first.Select(r => r.Envelope.MessageId));
        Assert.Equal(["a1"], whenFirstDue.Select(r => r.Envelope.MessageId));
        Assert.Equal(["a2"], afterFinish.Select(r => r.Envelope.MessageId));
    }

    [Fact]
    public void TheCommitOffsetIsTheFirstUnfinishedRecord()
    {
        var buffer = Buffer(("a", 0, ""), ("b", 0, ""), ("c", 0, ""));
        var leased = LeaseDue(buffer, Now);

        buffer.Finish(leased[1]);
        var withHeadOpen = buffer.CommitOffset;
        buffer.Finish(leased[0]);
        var afterHead = buffer.CommitOffset;
        buffer.Finish(leased[2]);

        Assert.Equal(100, withHeadOpen);
        Assert.Equal(102, afterHead);
        Assert.Equal(103, buffer.CommitOffset);
        Assert.Equal(0, buffer.Unfinished);
    }

    [Fact]
    public void ALeasedRecordIsHandedOutAgainOnlyAfterItsLeaseRunsOut()
    {
        var buffer = Buffer(("a", 0, ""));
        LeaseDue(buffer, Now);

        var beforeExpiry = LeaseDue(buffer, Now.AddSeconds(30));
        var afterExpiry = LeaseDue(buffer, Now + Lease);

        Assert.Empty(beforeExpiry);
        Assert.Equal(["a"], afterExpiry.Select(r => r.Envelope.MessageId));
        Assert.Equal(Now + Lease + Lease, buffer.NextDue(Now + Lease));
    }

    [Fact]
    public void ARevokingPartitionHandsNothingOut()
    {
        var buffer = Buffer(("a", 0, ""));
        buffer.Revoking = true;

        Assert.Empty(LeaseDue(buffer, Now));
    }

    [Fact]
    public void BacklogCountsRecordsByState()
    {
        var buffer = Buffer(("due", -5, ""), ("later", 60, ""), ("leased", 0, ""), ("done", 0, ""));
        var leased = LeaseDue(buffer, Now, max: 3);
        buffer.Finish(leased.Single(r => r.Envelope.MessageId == "done"));
        leased.Single(r => r.Envelope.MessageId == "due").State = RecordState.Waiting;

        var (pending, delayed, inFlight, oldest) = buffer.Count(Now);

        Assert.Equal((1, 1, 1), (pending, delayed, inFlight));
        Assert.Equal(Now.AddSeconds(-5), oldest);
    }

    [Fact]
    public void ARecordThatFellDueAfterTheLastLeaseIsDueNowUnlessItsKeyHoldsItBack()
    {
        var free = Buffer(("a", 2, ""));
        var held = Buffer(("k1", 0, "k"), ("k2", 2, "k"));
        LeaseDue(free, Now);
        LeaseDue(held, Now);

        Assert.Equal(Now.AddSeconds(3), free.NextDue(Now.AddSeconds(3)));
        Assert.Equal(Now + Lease, held.NextDue(Now.AddSeconds(3)));
    }

    [Fact]
    public void OnlyRecordsWrittenBeforeThePartitionCameHereAreCheckedAgainstTheLedger()
    {
        var buffer = new PartitionBuffer(new TopicPartition("wal.orders", 0), verifyFirst: 10) { EndAtAssignment = 102 };

        var verified = Enumerable.Range(100, 4).Select(offset => buffer.Add(offset, new Envelope(new EnvelopeMeta { MessageId = $"m{offset}" }, ReadOnlyMemory<byte>.Empty)).Verify).ToList();

        Assert.Equal([true, true, false, false], verified);
    }

    [Fact]
    public void WithoutAKnownEndOffsetTheFirstRecordsReadAreCheckedUpToTheLimit()
    {
        var buffer = new PartitionBuffer(new TopicPartition("wal.orders", 0), verifyFirst: 2);

        var verified = Enumerable.Range(100, 3).Select(offset => buffer.Add(offset, new Envelope(new EnvelopeMeta { MessageId = $"m{offset}" }, ReadOnlyMemory<byte>.Empty)).Verify).ToList();

        Assert.Equal([true, true, false], verified);
    }

    private static PartitionBuffer Buffer(params (string Id, int DueInSeconds, string Key)[] records)
    {
        var buffer = new PartitionBuffer(new TopicPartition("wal.orders", 0));
        var offset = 100;
        foreach (var (id, due, key) in records)
        {
            var meta = new EnvelopeMeta { MessageId = id, DeliverAtMs = Now.AddSeconds(due).ToUnixTimeMilliseconds(), OrderingKey = key };
            buffer.Add(offset++, new Envelope(meta, ReadOnlyMemory<byte>.Empty));
        }

        return buffer;
    }

    private static List<BufferedRecord> LeaseDue(PartitionBuffer buffer, DateTimeOffset now, int max = 10)
    {
        var leased = new List<BufferedRecord>();
        buffer.LeaseDue(now, now + Lease, leased, max);
        return leased;
    }
}
