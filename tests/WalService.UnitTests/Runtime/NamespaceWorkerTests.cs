using System.Diagnostics.Metrics;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WalService.Api.V1;
using WalService.Core;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Runtime;
using WalService.Core.Telemetry;

namespace WalService.UnitTests.Runtime;

/// <summary>How a namespace worker owns its subscription: made at start, kept up to date, disposed at stop.</summary>
public sealed class NamespaceWorkerTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider _provider = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly WalMetrics _metrics;

    public NamespaceWorkerTests()
    {
        _metrics = new WalMetrics(_provider.GetRequiredService<IMeterFactory>(), _time);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AStoppedWorkerDisposesItsSubscription()
    {
        var backend = new FakeConsumer();
        using var worker = Worker(Settings(1), backend);
        worker.Start();
        var subscription = await backend.SubscribedAsync();

        await worker.StopAsync(Ct);

        Assert.True(subscription.Disposed);
    }

    [Fact]
    public async Task ASettingsChangeReachesTheSubscription()
    {
        var backend = new FakeConsumer();
        using var worker = Worker(Settings(1), backend);
        worker.Start();
        var subscription = await backend.SubscribedAsync();
        var changed = Settings(2);

        worker.Settings = changed;

        Assert.Same(changed, Assert.Single(subscription.Updates));
        await worker.StopAsync(Ct);
    }

    [Fact]
    public async Task SettingsChangedWhileSubscribingReachTheSubscription()
    {
        var backend = new FakeConsumer { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        using var worker = Worker(Settings(1), backend);
        worker.Start();
        await Until(() => backend.Attempts == 1);
        var changed = Settings(2);

        worker.Settings = changed;
        backend.Gate.SetResult();
        var subscription = await backend.SubscribedAsync();

        Assert.Equal(1, backend.SubscribedWith!.Version);
        await Until(() => subscription.Updates.Count > 0);
        Assert.Same(changed, subscription.Updates[^1]);
        await worker.StopAsync(Ct);
    }

    [Fact]
    public async Task ASubscribeThatFailsIsTriedAgainAfterAPause()
    {
        var backend = new FakeConsumer { FailFirst = true };
        using var worker = Worker(Settings(1), backend);
        worker.Start();
        await Until(() => backend.Attempts == 1);

        // The pause starts after the failed attempt is counted: time moves on in steps until it has passed.
        await Until(() =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            return backend.Attempts == 2;
        });
        var subscription = await backend.SubscribedAsync();

        Assert.Equal(2, backend.Attempts);
        await worker.StopAsync(Ct);
        Assert.True(subscription.Disposed);
    }

    [Fact]
    public async Task AWorkerStoppedWhileSubscribingEndsWithoutASubscription()
    {
        var backend = new FakeConsumer { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        using var worker = Worker(Settings(1), backend);
        worker.Start();
        await Until(() => backend.Attempts == 1);

        await worker.StopAsync(Ct);

        Assert.Null(backend.Subscription);
    }

    [Fact]
    public async Task TheLeaseOutlastsThreeTimesTheTargetsDeliveryTimeout()
    {
        var slow = Settings(1, new Target { Http = new HttpTarget { Url = "http://127.0.0.1/x", Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(50)) } });
        var backend = new FakeConsumer();
        using var worker = Worker(slow, backend);
        worker.Start();
        var subscription = await backend.SubscribedAsync();

        await Until(() => subscription.Leases.Count > 0);

        Assert.Equal(TimeSpan.FromSeconds(150), subscription.Leases[0]);
        await worker.StopAsync(Ct);
    }

    [Fact]
    public async Task ATargetWithoutATimeoutOfItsOwnLeasesForTheConfiguredLeaseDuration()
    {
        var backend = new FakeConsumer();
        using var worker = Worker(Settings(1), backend);
        worker.Start();
        var subscription = await backend.SubscribedAsync();

        await Until(() => subscription.Leases.Count > 0);

        Assert.Equal(new WalOptions().LeaseDuration, subscription.Leases[0]);
        await worker.StopAsync(Ct);
    }

    public void Dispose()
    {
        _metrics.Dispose();
        _provider.Dispose();
    }

    private static NamespaceSettings Settings(long version, Target? target = null) =>
        NamespaceSettings.From(new Namespace { Config = new NamespaceConfig { Name = "orders", Target = target ?? new Target { Noop = new NoopTarget() } }, Version = version });

    /// <summary>Polls until <paramref name="condition"/> holds, failing after a deadline.</summary>
    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 10 s");
            await Task.Delay(TimeSpan.FromMilliseconds(10), Ct);
        }
    }

    private NamespaceWorker Worker(NamespaceSettings settings, ILogConsumer backend) =>
        new(settings, backend, new RuntimeServices(TestTargets.Catalog, new WorkSignals(), _metrics, new RegionHealth(), _time, new WalOptions(), NullLogger.Instance));

    /// <summary>A backend whose subscriptions hand nothing out; it may fail the first subscribe, or hold every subscribe until its gate opens.</summary>
    private sealed class FakeConsumer : ILogConsumer
    {
        private readonly TaskCompletionSource<FakeSubscription> _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _attempts;

        public bool FailFirst { get; init; }

        public TaskCompletionSource? Gate { get; init; }

        public int Attempts => Volatile.Read(ref _attempts);

        public NamespaceSettings? SubscribedWith { get; private set; }

        public FakeSubscription? Subscription { get; private set; }

        public async Task<FakeSubscription> SubscribedAsync() => await _subscribed.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        public async ValueTask<ILogSubscription> SubscribeAsync(NamespaceSettings settings, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _attempts) == 1 && FailFirst)
            {
                throw new InvalidOperationException("queue not found");
            }

            if (Gate is not null)
            {
                await Gate.Task.WaitAsync(cancellationToken);
            }

            SubscribedWith = settings;
            Subscription = new FakeSubscription();
            _subscribed.SetResult(Subscription);
            return Subscription;
        }
    }

    private sealed class FakeSubscription : ILogSubscription
    {
        public List<NamespaceSettings> Updates { get; } = [];

        public List<TimeSpan> Leases { get; } = [];

        public bool Disposed { get; private set; }

        public Task<IReadOnlyList<LeasedMessage>> LeaseDueAsync(int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
        {
            lock (Leases)
            {
                Leases.Add(lease);
            }

            return Task.FromResult<IReadOnlyList<LeasedMessage>>([]);
        }

        public Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) => Task.FromResult<DateTimeOffset?>(null);

        public Task AckAsync(IReadOnlyList<LeasedMessage> messages, DateTimeOffset appliedAt, CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask RetryAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask ReleaseAsync(LeasedMessage message, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask DeadLetterAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public void Update(NamespaceSettings settings)
        {
            lock (Updates)
            {
                Updates.Add(settings);
            }
        }

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
