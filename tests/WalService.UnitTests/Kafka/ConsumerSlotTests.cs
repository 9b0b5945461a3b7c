using WalService.Kafka;

namespace WalService.UnitTests.Kafka;

/// <summary>How a Kafka subscription keeps one working consumer: replaced when it fails, none after a stop.</summary>
public sealed class ConsumerSlotTests
{
    [Fact]
    public void AHealthyConsumerIsKeptAcrossUses()
    {
        var started = new List<FakeConsumer>();
        var slot = new ConsumerSlot<FakeConsumer>(() => Add(started, new FakeConsumer()), c => c.Failed);

        var first = slot.Use();
        var second = slot.Use();

        Assert.Same(first, second);
        Assert.Single(started);
    }

    [Fact]
    public void AFailedConsumerIsDisposedUnstoppedAndTheNextUseStartsAnother()
    {
        var started = new List<FakeConsumer>();
        var slot = new ConsumerSlot<FakeConsumer>(() => Add(started, new FakeConsumer()), c => c.Failed);
        var failed = slot.Use()!;
        failed.Failed = true;

        var replacement = slot.Use();

        Assert.NotSame(failed, replacement);
        Assert.Same(replacement, slot.Current);
        Assert.True(failed.Disposed);
        Assert.False(failed.Stopped);
        Assert.Equal(2, started.Count);
    }

    [Fact]
    public void AStartThatThrowsIsTriedAgainAtTheNextUse()
    {
        var attempts = 0;
        var slot = new ConsumerSlot<FakeConsumer>(
            () => ++attempts == 1 ? throw new InvalidOperationException("broker down") : new FakeConsumer(),
            c => c.Failed);

        Assert.Throws<InvalidOperationException>(() => slot.Use());
        var consumer = slot.Use();

        Assert.NotNull(consumer);
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task StoppingStopsThenDisposesTheConsumerAndNoneStartsAfterwards()
    {
        var started = new List<FakeConsumer>();
        var slot = new ConsumerSlot<FakeConsumer>(() => Add(started, new FakeConsumer()), c => c.Failed);
        var consumer = slot.Use()!;

        await slot.StopAsync(c =>
        {
            c.Stopped = true;
            Assert.False(c.Disposed);
            return Task.CompletedTask;
        });

        Assert.True(consumer.Stopped);
        Assert.True(consumer.Disposed);
        Assert.Null(slot.Use());
        Assert.Null(slot.Current);
        Assert.Single(started);
    }

    private static FakeConsumer Add(List<FakeConsumer> started, FakeConsumer consumer)
    {
        started.Add(consumer);
        return consumer;
    }

    private sealed class FakeConsumer : IDisposable
    {
        public bool Failed { get; set; }

        public bool Stopped { get; set; }

        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}
