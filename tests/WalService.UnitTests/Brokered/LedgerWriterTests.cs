using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Brokered;

namespace WalService.UnitTests.Brokered;

/// <summary>The background writer of statuses: its queue is bounded without making writes wait.</summary>
public sealed class LedgerWriterTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private static DateTimeOffset Now { get; } = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ConsumersWaitForRoomOnceTheQueueHoldsItsCapacityAndGoOnWhenTheStoreCatchesUp()
    {
        var store = new HeldStore();
        await using var writer = new LedgerWriter(store, TimeProvider.System, new ListLogger());
        Assert.True(writer.RoomAsync().IsCompleted);

        Assert.Equal(LedgerWriter.Capacity, writer.Enqueue(Updates(LedgerWriter.Capacity)));
        var room = writer.RoomAsync();
        Assert.False(room.IsCompleted);

        store.Release();
        await room.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        Assert.True(writer.Queued < LedgerWriter.Capacity);
    }

    [Fact]
    public async Task UpdatesPastTheHardLimitAreRefusedWithAnErrorNamingHowMany()
    {
        var store = new HeldStore();
        var logger = new ListLogger();
        await using (var writer = new LedgerWriter(store, TimeProvider.System, logger))
        {
            Assert.Equal(LedgerWriter.HardLimit, writer.Enqueue(Updates(LedgerWriter.HardLimit)));
            Assert.Equal(0, writer.Enqueue(Updates(3)));
            store.Release();
        }

        var error = Assert.Single(logger.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains("3 more were not queued", error.Message, StringComparison.Ordinal);
        Assert.Equal(LedgerWriter.HardLimit, store.Recorded);
    }

    private static List<LedgerUpdate> Updates(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new LedgerUpdate("orders", $"m-{i}", MessageState.Applied, 1, null, null, Now, Now))];

    /// <summary>A ledger that records nothing until released, so the queue fills.</summary>
    private sealed class HeldStore : IMessageLedgerStore
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _recorded;

        public int Recorded => Volatile.Read(ref _recorded);

        public void Release() => _released.TrySetResult();

        public async Task RecordAsync(IReadOnlyList<LedgerUpdate> updates, CancellationToken cancellationToken)
        {
            await _released.Task;
            Interlocked.Add(ref _recorded, updates.Count);
        }

        public Task<IReadOnlyDictionary<string, PastDelivery>> PastDeliveriesAsync(string ns, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<string> ClaimAsync(string ns, string key, string messageId, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task ReleaseAsync(string ns, string key, string messageId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task TrimAsync(string ns, DateTimeOffset appliedBefore, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<MessageStatus?> GetStatusAsync(string ns, string messageId, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class ListLogger : ILogger
    {
        public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, formatter(state, exception)));
    }
}
