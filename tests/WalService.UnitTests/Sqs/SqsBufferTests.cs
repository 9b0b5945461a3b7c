using WalService.Core.Model.Storage;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Sqs;

namespace WalService.UnitTests.Sqs;

public sealed class SqsBufferTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static long _token;

    [Fact]
    public void MessagesWithoutAGroupAreLeasedInArrivalOrderPassingOneNotYetDue()
    {
        var buffer = Buffer(("a", 0, null), ("b", 3, null), ("c", 0, null));

        var leased = buffer.Lease(10, Now);

        Assert.Equal(["a", "c"], Ids(leased));
        Assert.Equal(Now.AddSeconds(3), buffer.NextDue());
    }

    [Fact]
    public void AMessageWaitsWhileAnEarlierOneOfItsGroupWaitsOrIsLeased()
    {
        var buffer = Buffer(("k1", 3, "k"), ("k2", 0, "k"), ("o1", 0, "other"), ("o2", 0, "other"));

        var first = buffer.Lease(10, Now);
        var whileLeased = buffer.Lease(10, Now.AddSeconds(3));
        buffer.Take(first.Single(h => h.Group == "other").Message);
        var afterTake = buffer.Lease(10, Now.AddSeconds(3));

        Assert.Equal(["o1"], Ids(first));
        Assert.Equal(["k1"], Ids(whileLeased));
        Assert.Equal(["o2"], Ids(afterTake));
    }

    [Fact]
    public void NextDueAndReadyCountOnlyMessagesTheirGroupLetsGo()
    {
        var buffer = Buffer(("k1", 5, "k"), ("k2", 0, "k"), ("x", 1, null));

        Assert.Equal(Now.AddSeconds(1), buffer.NextDue());
        Assert.Equal(0, buffer.ReadyBy(Now));
        Assert.Equal(2, buffer.ReadyBy(Now.AddSeconds(5)));
        Assert.Equal(3, buffer.Waiting);
    }

    [Fact]
    public void ARetryPutFirstStaysAheadOfItsGroupUntilItIsDue()
    {
        var buffer = Buffer(("k1", 0, "k"), ("k2", 0, "k"));
        var leased = buffer.Lease(10, Now).Single();
        var held = buffer.Take(leased.Message)!;

        buffer.AddFirst(held with { Message = Leased("k1", 2, "k") });

        Assert.Empty(buffer.Lease(10, Now.AddSeconds(1)));
        Assert.Equal(["k1"], Ids(buffer.Lease(10, Now.AddSeconds(2))));
    }

    [Fact]
    public void RemovingAGroupAnswersItsWaitingMessagesInArrivalOrderAndLeavesTheRest()
    {
        var buffer = Buffer(("k1", 0, "k"), ("x", 0, null), ("k2", 0, "k"));

        var removed = buffer.RemoveGroup("k");

        Assert.Equal(["k1", "k2"], Ids(removed));
        Assert.Empty(buffer.RemoveGroup(null));
        Assert.Equal(["x"], Ids(buffer.RemoveWaiting()));
        Assert.Equal(0, buffer.Waiting);
    }

    [Fact]
    public void OnlyMessagesHiddenForLessThanTheMarginNeedExtending()
    {
        var buffer = new SqsBuffer();
        buffer.Add(new SqsBuffer.Held(Leased("soon", 0, null), "h1", null, false) { HiddenUntil = Now.AddSeconds(5) });
        buffer.Add(new SqsBuffer.Held(Leased("later", 0, null), "h2", null, false) { HiddenUntil = Now.AddSeconds(30) });
        buffer.Lease(1, Now);

        Assert.Equal(["soon"], Ids(buffer.HiddenForLessThan(TimeSpan.FromSeconds(15), Now)));
    }

    private static SqsBuffer Buffer(params (string Id, int DueInSeconds, string? Group)[] messages)
    {
        var buffer = new SqsBuffer();
        foreach (var (id, due, group) in messages)
        {
            buffer.Add(new SqsBuffer.Held(Leased(id, due, group), "handle-" + id, group, false) { HiddenUntil = Now.AddSeconds(30) });
        }

        return buffer;
    }

    private static LeasedMessage Leased(string id, int dueInSeconds, string? group) =>
        new(new Envelope(new EnvelopeMeta { MessageId = id, OrderingKey = group ?? string.Empty, DeliverAtMs = Now.AddSeconds(dueInSeconds).ToUnixTimeMilliseconds(), Attempt = 1 }, ReadOnlyMemory<byte>.Empty), 1, Interlocked.Increment(ref _token));

    private static List<string> Ids(IEnumerable<SqsBuffer.Held> held) => [.. held.Select(h => h.Message.Envelope.MessageId)];
}
