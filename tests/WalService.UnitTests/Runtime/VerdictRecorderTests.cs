using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WalService.Api.V1;
using WalService.Core;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Model.Storage;
using WalService.Core.Runtime;
using WalService.Core.Telemetry;

namespace WalService.UnitTests.Runtime;

/// <summary>How verdicts reach the subscription: a retry is due one backoff after its attempt failed.</summary>
public sealed class VerdictRecorderTests : IDisposable
{
    private static readonly TimeSpan Backoff = TimeSpan.FromMilliseconds(200);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider _provider = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly WalMetrics _metrics;

    public VerdictRecorderTests()
    {
        _metrics = new WalMetrics(_provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), _time);
    }

    [Fact]
    public async Task ARetryIsDueOneBackoffAfterTheFailureEvenWhenItsVerdictIsRecordedLater()
    {
        var subscription = new RetryRecordingSubscription();
        using var slots = new SemaphoreSlim(0);
        var recorder = new VerdictRecorder(subscription, Services(), Settings, slots);
        var failedAt = _time.GetUtcNow();

        recorder.Add(Message("m-1"), DeliveryOutcome.Retry("HTTP 503"));
        _time.Advance(TimeSpan.FromMilliseconds(40));
        recorder.Complete();
        await recorder.RunAsync();

        var (id, at) = Assert.Single(subscription.Retries);
        Assert.Equal("m-1", id);
        Assert.InRange(at, failedAt + Backoff - TimeSpan.FromMilliseconds(1), failedAt + Backoff + TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, slots.CurrentCount);
    }

    public void Dispose()
    {
        _metrics.Dispose();
        _provider.Dispose();
    }

    private static NamespaceSettings Settings() => NamespaceSettings.From(new Namespace
    {
        Config = new NamespaceConfig
        {
            Name = "orders",
            Target = new Target { Noop = new NoopTarget() },
            Retry = new RetryPolicy { MaxAttempts = 3, InitialBackoff = Duration.FromTimeSpan(Backoff), MaxBackoff = Duration.FromTimeSpan(Backoff), BackoffMultiplier = 1, Jitter = 1e-6 },
        },
        Version = 1,
    });

    private static LeasedMessage Message(string id) =>
        new(new Envelope(new EnvelopeMeta { Namespace = "orders", MessageId = id }, ReadOnlyMemory<byte>.Empty), 1, 1);

    private RuntimeServices Services() => new(TestTargets.Catalog, new WorkSignals(), _metrics, new RegionHealth(), _time, new WalOptions(), NullLogger.Instance);

    /// <summary>A subscription that keeps the due time of each retry it is given.</summary>
    private sealed class RetryRecordingSubscription : ILogSubscription
    {
        public List<(string Id, DateTimeOffset At)> Retries { get; } = [];

        public Task<IReadOnlyList<LeasedMessage>> LeaseDueAsync(int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<LeasedMessage>>([]);

        public Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) => Task.FromResult<DateTimeOffset?>(null);

        public Task AckAsync(IReadOnlyList<LeasedMessage> messages, DateTimeOffset appliedAt, CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask RetryAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken)
        {
            lock (Retries)
            {
                Retries.Add((message.Envelope.MessageId, at));
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask ReleaseAsync(LeasedMessage message, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask DeadLetterAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public void Update(NamespaceSettings settings)
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
