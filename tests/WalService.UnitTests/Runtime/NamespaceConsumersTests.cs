using WalService.Core.Runtime;

namespace WalService.UnitTests.Runtime;

public sealed class NamespaceConsumersTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConcurrentFirstUsesStartOneConsumerAndLaterUsesGetIt()
    {
        await using var consumers = new NamespaceConsumers<FakeConsumer>();
        var starts = 0;
        var release = new TaskCompletionSource();
        Func<CancellationToken, Task<FakeConsumer?>> start = async _ =>
        {
            Interlocked.Increment(ref starts);
            await release.Task;
            return new FakeConsumer();
        };

        var first = consumers.GetOrStartAsync("a", start, Ct);
        var second = consumers.GetOrStartAsync("a", start, Ct);
        release.SetResult();

        Assert.Same(await first, await second);
        Assert.Same(await first, await consumers.GetOrStartAsync("a", start, Ct));
        Assert.Equal(1, starts);
    }

    [Fact]
    public async Task WhenStartMakesNoConsumerNothingIsKeptAndTheNextUseTriesAgain()
    {
        await using var consumers = new NamespaceConsumers<FakeConsumer>();

        var none = await consumers.GetOrStartAsync("a", _ => Task.FromResult<FakeConsumer?>(null), Ct);
        var later = await consumers.GetOrStartAsync("a", _ => Task.FromResult<FakeConsumer?>(new FakeConsumer()), Ct);

        Assert.Null(none);
        Assert.NotNull(later);
    }

    [Fact]
    public async Task StoppingANamespaceStopsAndDisposesItsConsumerOnly()
    {
        await using var consumers = new NamespaceConsumers<FakeConsumer>();
        var a = await consumers.GetOrStartAsync("a", _ => Task.FromResult<FakeConsumer?>(new FakeConsumer()), Ct);
        var b = await consumers.GetOrStartAsync("b", _ => Task.FromResult<FakeConsumer?>(new FakeConsumer()), Ct);

        await consumers.StopAsync("a");

        Assert.True(a!.Stopped && a.Disposed);
        Assert.False(b!.Stopped || b.Disposed);
        Assert.False(consumers.TryGet("a", out _));
        Assert.True(consumers.TryGet("b", out _));
    }

    [Fact]
    public async Task ADiscardedConsumerIsDisposedUnstoppedAndTheNextUseStartsAnother()
    {
        await using var consumers = new NamespaceConsumers<FakeConsumer>();
        var failed = await consumers.GetOrStartAsync("a", _ => Task.FromResult<FakeConsumer?>(new FakeConsumer()), Ct);

        consumers.Discard("a", failed!);
        var next = await consumers.GetOrStartAsync("a", _ => Task.FromResult<FakeConsumer?>(new FakeConsumer()), Ct);

        Assert.True(failed!.Disposed);
        Assert.False(failed.Stopped);
        Assert.NotSame(failed, next);
    }

    [Fact]
    public async Task DisposingStopsEveryConsumerAndStartsNoneAfterwards()
    {
        var consumers = new NamespaceConsumers<FakeConsumer>();
        var a = await consumers.GetOrStartAsync("a", _ => Task.FromResult<FakeConsumer?>(new FakeConsumer()), Ct);
        var b = await consumers.GetOrStartAsync("b", _ => Task.FromResult<FakeConsumer?>(new FakeConsumer()), Ct);

        await consumers.DisposeAsync();
        var late = await consumers.GetOrStartAsync("c", _ => Task.FromResult<FakeConsumer?>(new FakeConsumer()), Ct);

        Assert.True(a!.Stopped && a.Disposed && b!.Stopped && b.Disposed);
        Assert.Null(late);
        Assert.Empty(consumers.All);
    }

    private sealed class FakeConsumer : INamespaceConsumer
    {
        public bool Stopped { get; private set; }

        public bool Disposed { get; private set; }

        public Task StopAsync()
        {
            Stopped = true;
            return Task.CompletedTask;
        }

        public void Dispose() => Disposed = true;
    }
}
