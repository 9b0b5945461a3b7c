using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Brokered;
using WalService.Core.Model;

namespace WalService.UnitTests.Brokered;

/// <summary>When a delivery begun is recorded as IN_FLIGHT: only once it has lasted, and not after its verdict or release.</summary>
public sealed class TrackedStatusesTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly RecordingStore _store = new();
    private readonly TrackedStatuses _statuses;

    public TrackedStatusesTests()
    {
        _statuses = new TrackedStatuses(_store, _time, NullLogger.Instance);
    }

    [Fact]
    public async Task ADeliveryThatLastsIsRecordedInFlightAndOneWithAVerdictMeanwhileIsNot()
    {
        var now = _time.GetUtcNow();
        _statuses.Begin(Tracked, [Update("quick", MessageState.InFlight, 1, now), Update("slow", MessageState.InFlight, 2, now)]);
        _statuses.Record(Tracked, [Update("quick", MessageState.Applied, 1, now)]);

        _time.Advance(TrackedStatuses.InFlightAfter * 2);
        await _store.WaitForAsync("slow");

        Assert.Equal((MessageState.InFlight, 2), _store.Of("slow").Select(u => (u.State, u.Attempts)).Single());
        Assert.Equal([MessageState.Applied], _store.Of("quick").Select(u => u.State));
    }

    [Fact]
    public async Task ADeliveryReleasedBeforeItWasRecordedLeavesNothingAndOneReleasedAfterIsWaitingAgain()
    {
        var now = _time.GetUtcNow();
        _statuses.Begin(Tracked, [Update("early", MessageState.InFlight, 1, now), Update("late", MessageState.InFlight, 3, now)]);
        _statuses.Released(Tracked, Update("early", MessageState.Pending, 0, now));
        _time.Advance(TrackedStatuses.InFlightAfter * 2);
        await _store.WaitForAsync("late");

        _statuses.Released(Tracked, Update("late", MessageState.Pending, 2, _time.GetUtcNow()));
        await _store.WaitForAsync("late", count: 2);

        Assert.Empty(_store.Of("early"));
        Assert.Equal([(MessageState.InFlight, 3), (MessageState.Pending, 2)], _store.Of("late").Select(u => (u.State, u.Attempts)));
    }

    [Fact]
    public async Task ANamespaceThatKeepsNoStatusesRecordsNoDeliveryBegun()
    {
        var now = _time.GetUtcNow();
        _statuses.Begin(NamespaceSettings.From(new Namespace { Config = new NamespaceConfig { Name = "orders", TrackStatus = false, Kafka = new KafkaBackend() }, Version = 1 }), [Update("untracked", MessageState.InFlight, 1, now)]);
        _statuses.Begin(Tracked, [Update("tracked", MessageState.InFlight, 1, now)]);

        _time.Advance(TrackedStatuses.InFlightAfter * 2);
        await _store.WaitForAsync("tracked");

        Assert.Empty(_store.Of("untracked"));
    }

    public ValueTask DisposeAsync() => _statuses.DisposeAsync();

    private static NamespaceSettings Tracked { get; } =
        NamespaceSettings.From(new Namespace { Config = new NamespaceConfig { Name = "orders", Kafka = new KafkaBackend() }, Version = 1 });

    private static LedgerUpdate Update(string id, MessageState state, int attempts, DateTimeOffset at) => new("orders", id, state, attempts, null, null, null, at);

    /// <summary>A ledger that keeps what is recorded, in order.</summary>
    private sealed class RecordingStore : IMessageLedgerStore
    {
        private readonly ConcurrentQueue<LedgerUpdate> _recorded = new();

        public IReadOnlyList<LedgerUpdate> Of(string messageId) => [.. _recorded.Where(u => u.MessageId == messageId)];

        /// <summary>Polls until <paramref name="count"/> updates of the message were recorded (the writer records in the background).</summary>
        public async Task WaitForAsync(string messageId, int count = 1)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Of(messageId).Count < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{messageId} was not recorded {count} time(s) within 10 s");
                await Task.Delay(TimeSpan.FromMilliseconds(10), TestContext.Current.CancellationToken);
            }
        }

        public Task RecordAsync(IReadOnlyList<LedgerUpdate> updates, CancellationToken cancellationToken)
        {
            foreach (var update in updates)
            {
                _recorded.Enqueue(update);
            }

            return Task.CompletedTask;
        }

        public Task<IReadOnlyDictionary<string, PastDelivery>> PastDeliveriesAsync(string ns, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<string> ClaimAsync(string ns, string key, string messageId, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task ReleaseAsync(string ns, string key, string messageId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task TrimAsync(string ns, DateTimeOffset appliedBefore, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<MessageStatus?> GetStatusAsync(string ns, string messageId, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
