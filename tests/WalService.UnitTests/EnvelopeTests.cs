using WalService.Core.Model.Storage;
using WalService.Core.Model;

namespace WalService.UnitTests;

public sealed class EnvelopeTests
{
    private static readonly DateTimeOffset WholeMs = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_123);

    [Fact]
    public void ADueTimeBetweenMillisecondsIsKeptAsTheNextOne()
    {
        var at = WholeMs.AddTicks(2_000);

        Assert.Equal(1_790_000_000_124, Envelope.DeliverAtMs(at));
        Assert.True(DateTimeOffset.FromUnixTimeMilliseconds(Envelope.DeliverAtMs(at)) >= at);
    }

    [Fact]
    public void ADueTimeOnAMillisecondIsKeptAsItIs() => Assert.Equal(1_790_000_000_123, Envelope.DeliverAtMs(WholeMs));

    [Fact]
    public void ARescheduledMessageIsNotDueBeforeItsTime()
    {
        var envelope = new Envelope(new EnvelopeMeta { MessageId = "m", DeliverAtMs = 1 }, ReadOnlyMemory<byte>.Empty);
        var at = WholeMs.AddTicks(9_999);

        var rescheduled = envelope.Rescheduled(at, 2);

        Assert.True(rescheduled.DeliverAt >= at);
        Assert.Equal(2, rescheduled.Meta.Attempt);
    }
}
