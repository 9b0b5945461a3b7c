using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using WalService.Core.Model.Storage;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Brokered;
using WalService.Core.Model;

namespace WalService.UnitTests.Brokered;

/// <summary>What every broker-backed subscription does around its transport, and the set of those running.</summary>
public sealed class BrokeredSubscriptionTests : IAsyncDisposable
{
    private readonly RecordingLedger _store = new();
    private readonly BrokeredLedger _ledger;

    public BrokeredSubscriptionTests()
    {
        _ledger = new BrokeredLedger(_store, new NoArchive(), new NoStaging(), TimeProvider.System, NullLogger.Instance);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DateTimeOffset Now { get; } = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task MessagesReadAgainThatTheLedgerHasAsFinishedAreSkippedAndTheRestHandedOut()
    {
        _store.Finished.Add("m-1");
        var subscription = new InMemorySubscription(Settings(tracked: true), _ledger, Message("m-1", verify: true), Message("m-2", verify: true), Message("m-3", verify: false));

        var leased = await subscription.LeaseDueAsync(10, Now, TimeSpan.FromMinutes(1), Ct);

        Assert.Equal(["m-2", "m-3"], leased.Select(m => m.Envelope.MessageId));
        Assert.Equal("m-1", Assert.Single(subscription.Skipped).Envelope.MessageId);
    }

    [Fact]
    public async Task AMessageReadAgainIsHandedOutAsTheAttemptAfterThoseTheLedgerHasAsBegun()
    {
        _store.Begun["m-1"] = 1;
        _store.Begun["m-2"] = 3;
        _store.Begun["m-3"] = 2;
        var subscription = new InMemorySubscription(
            Settings(tracked: true), _ledger, Message("m-1", verify: true), Message("m-2", verify: true), Message("m-3", verify: false), Message("m-4", verify: true));

        var leased = await subscription.LeaseDueAsync(10, Now, TimeSpan.FromMinutes(1), Ct);

        Assert.Equal([("m-1", 2), ("m-2", 4), ("m-3", 1), ("m-4", 1)], leased.Select(m => (m.Envelope.MessageId, m.Attempt)));
        Assert.Equal(["m-1", "m-2"], subscription.Recounted.Select(m => m.Envelope.MessageId));
    }

    [Fact]
    public async Task AMessageReadAgainKeepsItsOwnAttemptWhenItIsPastThoseBegun()
    {
        _store.Begun["m-1"] = 2;
        var subscription = new InMemorySubscription(Settings(tracked: true), _ledger, Message("m-1", verify: true, attempt: 5));

        var leased = Assert.Single(await subscription.LeaseDueAsync(10, Now, TimeSpan.FromMinutes(1), Ct));

        Assert.Equal(5, leased.Attempt);
        Assert.Empty(subscription.Recounted);
    }

    [Fact]
    public async Task TheTransportIsToldOfWhatALeaseHandsOutWithTheFinalAttempts()
    {
        _store.Finished.Add("m-1");
        _store.Begun["m-2"] = 1;
        var subscription = new InMemorySubscription(Settings(tracked: true), _ledger, Message("m-1", verify: true), Message("m-2", verify: true));

        await subscription.LeaseDueAsync(10, Now, TimeSpan.FromMinutes(1), Ct);

        Assert.Equal([("m-2", 2)], subscription.Handed.Select(m => (m.Envelope.MessageId, m.Attempt)));
    }

    [Fact]
    public async Task ANamespaceThatKeepsNoStatusesIsNotCheckedForFinishedMessages()
    {
        _store.Finished.Add("m-1");
        var subscription = new InMemorySubscription(Settings(tracked: false), _ledger, Message("m-1", verify: true));

        var leased = await subscription.LeaseDueAsync(10, Now, TimeSpan.FromMinutes(1), Ct);

        Assert.Equal("m-1", Assert.Single(leased).Envelope.MessageId);
        Assert.Empty(subscription.Skipped);
    }

    [Fact]
    public async Task TurningStatusTrackingOnReachesTheVerdictsRecordedAfterIt()
    {
        var subscription = new InMemorySubscription(Settings(tracked: false), _ledger, Message("m-1", verify: false), Message("m-2", verify: false));
        var leased = await subscription.LeaseDueAsync(10, Now, TimeSpan.FromMinutes(1), Ct);
        await subscription.AckAsync([leased[0]], Now, Ct);

        subscription.Update(Settings(tracked: true));
        await subscription.AckAsync([leased[1]], Now, Ct);

        var recorded = await _store.RecordedAsync("m-2");
        Assert.Equal(MessageState.Applied, recorded.State);
        Assert.DoesNotContain(_store.Recorded, u => u.MessageId == "m-1");
    }

    [Fact]
    public async Task AStoppedSubscriptionHandsNothingOutAndLeavesVerdictsToTheTransportNoMore()
    {
        var subscription = new InMemorySubscription(Settings(tracked: true), _ledger, Message("m-1", verify: false));
        var leased = Assert.Single(await subscription.LeaseDueAsync(1, Now, TimeSpan.FromMinutes(1), Ct));
        subscription.Add(Message("m-2", verify: false));

        await subscription.StopAsync();
        await subscription.AckAsync([leased], Now, Ct);
        await subscription.RetryAsync(leased, Now, "HTTP 503", Ct);
        await subscription.DeadLetterAsync(leased, Now, "poison", Ct);
        await subscription.ReleaseAsync(leased, Ct);

        Assert.Empty(await subscription.LeaseDueAsync(10, Now, TimeSpan.FromMinutes(1), Ct));
        Assert.Null(await subscription.NextDueAsync(Ct));
        Assert.Equal(0, subscription.Verdicts);
    }

    [Fact]
    public async Task StoppingMoreThanOnceStopsTheTransportOnce()
    {
        var subscription = new InMemorySubscription(Settings(tracked: true), _ledger);

        await Task.WhenAll(subscription.StopAsync(), subscription.StopAsync());
        await subscription.DisposeAsync();

        Assert.Equal(1, subscription.Stops);
    }

    [Fact]
    public async Task ASubscriptionLeavesItsSetWhenStoppedAndTheSetStopsOneByNameOnly()
    {
        var set = new SubscriptionSet<InMemorySubscription>();
        var first = await set.AddAsync(new InMemorySubscription(Settings(tracked: true, name: "a"), _ledger));
        var second = await set.AddAsync(new InMemorySubscription(Settings(tracked: true, name: "b"), _ledger));
        var other = await set.AddAsync(new InMemorySubscription(Settings(tracked: true, name: "c"), _ledger));

        await first.DisposeAsync();
        await set.StopAsync("b");

        Assert.Same(other, Assert.Single(set.All));
        Assert.False(set.TryGet("a", out _));
        Assert.Equal(1, second.Stops);
        Assert.Equal(0, other.Stops);
    }

    [Fact]
    public async Task ADisposedSetStopsWhatItHoldsAndRefusesNewSubscriptions()
    {
        var set = new SubscriptionSet<InMemorySubscription>();
        var held = await set.AddAsync(new InMemorySubscription(Settings(tracked: true, name: "a"), _ledger));
        var late = new InMemorySubscription(Settings(tracked: true, name: "b"), _ledger);

        await set.DisposeAsync();

        Assert.Equal(1, held.Stops);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await set.AddAsync(late));
        Assert.Equal(1, late.Stops);
    }

    public ValueTask DisposeAsync() => _ledger.DisposeAsync();

    private static NamespaceSettings Settings(bool tracked, string name = "orders") =>
        NamespaceSettings.From(new Namespace { Config = new NamespaceConfig { Name = name, TrackStatus = tracked, Kafka = new KafkaBackend() }, Version = 1 });

    private static (LeasedMessage Message, bool Verify) Message(string id, bool verify, int attempt = 1) =>
        (new LeasedMessage(new Envelope(new EnvelopeMeta { Namespace = "orders", MessageId = id }, ReadOnlyMemory<byte>.Empty), attempt, id.GetHashCode(StringComparison.Ordinal)), verify);

    /// <summary>A transport that hands out what the test added and counts the verdicts that reach it.</summary>
    private sealed class InMemorySubscription(NamespaceSettings settings, BrokeredLedger ledger, params (LeasedMessage Message, bool Verify)[] ready)
        : BrokeredSubscription(settings, ledger)
    {
        private readonly List<(LeasedMessage Message, bool Verify)> _ready = [.. ready];
        private int _verdicts;
        private int _stops;

        public List<LeasedMessage> Skipped { get; } = [];

        public List<LeasedMessage> Recounted { get; } = [];

        public List<LeasedMessage> Handed { get; } = [];

        public int Verdicts => Volatile.Read(ref _verdicts);

        public int Stops => Volatile.Read(ref _stops);

        public void Add((LeasedMessage Message, bool Verify) message) => _ready.Add(message);

        protected override IReadOnlyList<(LeasedMessage Message, bool Verify)> Lease(int max, DateTimeOffset now, TimeSpan lease)
        {
            var leased = _ready.Take(max).ToList();
            _ready.RemoveRange(0, leased.Count);
            return leased;
        }

        protected override LeasedMessage Recount(LeasedMessage message, int attempt)
        {
            Recounted.Add(message);
            return base.Recount(message, attempt);
        }

        protected override void Leased(IReadOnlyList<LeasedMessage> messages, DateTimeOffset now) => Handed.AddRange(messages);

        protected override Task SkipFinishedAsync(IReadOnlyList<LeasedMessage> finished)
        {
            Skipped.AddRange(finished);
            return Task.CompletedTask;
        }

        protected override DateTimeOffset? NextDue() => _ready.Count > 0 ? Now : null;

        protected override Task AckLeasedAsync(IReadOnlyList<LeasedMessage> messages, DateTimeOffset appliedAt)
        {
            Interlocked.Increment(ref _verdicts);
            RecordApplied(messages, appliedAt);
            return Task.CompletedTask;
        }

        protected override ValueTask RetryLeasedAsync(LeasedMessage message, DateTimeOffset at, string error)
        {
            Interlocked.Increment(ref _verdicts);
            return ValueTask.CompletedTask;
        }

        protected override ValueTask ReleaseLeasedAsync(LeasedMessage message)
        {
            Interlocked.Increment(ref _verdicts);
            return ValueTask.CompletedTask;
        }

        protected override ValueTask DeadLetterLeasedAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _verdicts);
            return ValueTask.CompletedTask;
        }

        protected override Task StopTransportAsync()
        {
            Interlocked.Increment(ref _stops);
            return Task.CompletedTask;
        }
    }

    /// <summary>A ledger that answers which messages are finished, and the attempts begun, from what the test set, and keeps what is recorded.</summary>
    private sealed class RecordingLedger : IMessageLedgerStore
    {
        public HashSet<string> Finished { get; } = new(StringComparer.Ordinal);

        public ConcurrentQueue<LedgerUpdate> Recorded { get; } = new();

        /// <summary>The update recorded for the message, polled for (the ledger writer records in the background).</summary>
        public async Task<LedgerUpdate> RecordedAsync(string messageId)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!Recorded.Any(u => u.MessageId == messageId))
            {
                Assert.True(DateTime.UtcNow < deadline, $"{messageId} was not recorded within 10 s");
                await Task.Delay(TimeSpan.FromMilliseconds(10), Ct);
            }

            return Recorded.First(u => u.MessageId == messageId);
        }

        public Task RecordAsync(IReadOnlyList<LedgerUpdate> updates, CancellationToken cancellationToken)
        {
            foreach (var update in updates)
            {
                Recorded.Enqueue(update);
            }

            return Task.CompletedTask;
        }

        public Dictionary<string, int> Begun { get; } = new(StringComparer.Ordinal);

        public Task<IReadOnlyDictionary<string, PastDelivery>> PastDeliveriesAsync(string ns, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<string, PastDelivery>>(messageIds
                .Where(id => Finished.Contains(id) || Begun.ContainsKey(id))
                .ToDictionary(id => id, id => new PastDelivery(Finished.Contains(id), Begun.GetValueOrDefault(id)), StringComparer.Ordinal));

        public Task<string> ClaimAsync(string ns, string key, string messageId, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task ReleaseAsync(string ns, string key, string messageId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task TrimAsync(string ns, DateTimeOffset appliedBefore, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<MessageStatus?> GetStatusAsync(string ns, string messageId, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    /// <summary>No transactions in these tests: every call fails.</summary>
    private sealed class NoStaging : ITransactionStagingStore
    {
        public Task<ChunkStaging> StageAsync(string ns, string candidateId, TransactionChunk chunk, ReadOnlyMemory<byte> payload, byte[]? lastMeta, DateTimeOffset now, TimeSpan markerGrace, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task MarkEnqueuedAsync(string ns, string transactionId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<PendingMarker>> ClaimPendingMarkersAsync(string ns, DateTimeOffset now, TimeSpan markerGrace, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<StagedChunk>> ReadChunksAsync(string ns, string transactionId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task MarkDeliveredAsync(string ns, string transactionId, int sequence, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task FinishAsync(string ns, string transactionId, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<StagedCount?> ChunksStagedAsync(string ns, string messageId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ExpiredTransaction>> ExpireAsync(string ns, DateTimeOffset startedBefore, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task PurgeAsync(string ns, IReadOnlyCollection<string> messageIds, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task TrimAsync(string ns, DateTimeOffset? before, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class NoArchive : IDeadLetterArchive
    {
        public Task AddAsync(IReadOnlyList<ArchivedDeadLetter> deadLetters, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ArchivedDeadLetter>> ListAsync(string ns, int pageSize, string? afterId, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<long> RemoveAsync(string ns, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<long> CountAsync(string ns, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
