using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using WalService.Core.Model.Storage;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Runtime;
using WalService.Sqlite.Log;

namespace WalService.IntegrationTests;

/// <summary>The embedded log on a real SQLite file, with a fake clock: leases, verdicts, recovery, idempotency.</summary>
public sealed class EmbeddedLogTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);
    private readonly string _folder = Directory.CreateTempSubdirectory("wal-log-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero));
    private MessageIdGenerator _ids;
    private SqliteLog _log = null!;

    public EmbeddedLogTests() => _ids = new MessageIdGenerator(_time);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Path => System.IO.Path.Combine(_folder, "wal.db");

    public ValueTask InitializeAsync()
    {
        _log = new SqliteLog(Path, _time, _ids);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _log.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task AMessageIsNotHandedOutBeforeItIsDue()
    {
        await AppendAsync(delay: TimeSpan.FromMinutes(1));

        Assert.Empty(await LeaseAsync());
        Assert.Equal(_time.GetUtcNow().AddMinutes(1), await _log.NextDueAsync("ns", Ct));

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Single(await LeaseAsync());
    }

    [Fact]
    public async Task ALeasedMessageIsInvisibleUntilItsLeaseExpires()
    {
        var id = await AppendAsync();

        var first = Assert.Single(await LeaseAsync());
        Assert.Empty(await LeaseAsync());
        _time.Advance(Lease);
        var second = Assert.Single(await LeaseAsync());

        Assert.Equal(id, second.Envelope.MessageId);
        Assert.Equal(1, first.Attempt);
        Assert.Equal(2, second.Attempt);
    }

    [Fact]
    public async Task AVerdictForAnExpiredLeaseChangesNothing()
    {
        var id = await AppendAsync();
        var stale = Assert.Single(await LeaseAsync());
        _time.Advance(Lease);
        var current = Assert.Single(await LeaseAsync());

        await _log.AckAsync([stale], _time.GetUtcNow(), Ct);
        var afterStaleAck = await _log.GetStatusAsync("ns", id, _time.GetUtcNow(), Ct);
        await _log.AckAsync([current], _time.GetUtcNow(), Ct);
        var afterAck = await _log.GetStatusAsync("ns", id, _time.GetUtcNow(), Ct);

        Assert.Equal(MessageState.InFlight, afterStaleAck!.State);
        Assert.Equal(MessageState.Applied, afterAck!.State);
    }

    [Fact]
    public async Task RetryReschedulesAndStatusSaysSo()
    {
        var id = await AppendAsync();
        var leased = Assert.Single(await LeaseAsync());

        await _log.RetryAsync(leased, _time.GetUtcNow().AddSeconds(10), "HTTP 503", Ct);
        var status = await _log.GetStatusAsync("ns", id, _time.GetUtcNow(), Ct);

        Assert.Equal(MessageState.RetryScheduled, status!.State);
        Assert.Equal(1, status.Attempts);
        Assert.Equal("HTTP 503", status.LastError);
        Assert.Equal(_time.GetUtcNow().AddSeconds(10), status.NextAttemptAt.ToDateTimeOffset());
        Assert.Empty(await LeaseAsync());
    }

    [Fact]
    public async Task ReopeningTheLogReleasesLeasesOfTheDeadProcessAndKeepsEverything()
    {
        var leasedId = await AppendAsync();
        Assert.Single(await LeaseAsync());
        var delayedId = await AppendAsync(delay: TimeSpan.FromMinutes(5));

        await _log.DisposeAsync();
        _log = new SqliteLog(Path, _time, _ids);
        var again = Assert.Single(await LeaseAsync());

        Assert.Equal(leasedId, again.Envelope.MessageId);
        Assert.Equal(2, again.Attempt);
        Assert.Equal(MessageState.Delayed, (await _log.GetStatusAsync("ns", delayedId, _time.GetUtcNow(), Ct))!.State);
    }

    [Fact]
    public async Task ABatchIsAppendedTogetherAndAKeyRepeatedInsideItIsHonoured()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        AppendRequest Request(string id, string key) =>
            new(new Envelope(new EnvelopeMeta { MessageId = id, Namespace = "ns", DeliverAtMs = now, IdempotencyKey = key }, new byte[] { 2 }), Window);

        var results = await _log.AppendAsync([Request("b-1", "same"), Request("b-2", string.Empty), Request("b-3", "same")], Ct);

        Assert.Equal(["b-1", "b-2", "b-1"], results.Select(r => r.MessageId));
        Assert.All(results, r => Assert.Equal(Trilean.True, r.Durable));
        Assert.Equal(2, await _log.CountUndeliveredAsync("ns", Ct));
    }

    [Fact]
    public async Task IdsIssuedAfterARestartFollowThoseInTheLogThoughTheClockSteppedBack()
    {
        var before = await AppendAsync(orderingKey: "k");
        await _log.DisposeAsync();
        _time.AdjustTime(_time.GetUtcNow().AddHours(-1));
        _ids = new MessageIdGenerator(_time);
        _log = new SqliteLog(Path, _time, _ids);

        var after = await AppendAsync(orderingKey: "k");
        _time.Advance(TimeSpan.FromHours(1));

        Assert.True(string.CompareOrdinal(before, after) < 0);
        Assert.Equal(before, Assert.Single(await LeaseAsync(max: 1)).Envelope.MessageId);
        Assert.Equal(MessageState.Pending, (await _log.GetStatusAsync("ns", after, _time.GetUtcNow(), Ct))!.State);
    }

    [Fact]
    public async Task ALogWrittenWhenIdsWereIndexedKeepsItsMessagesAndTakesNewOnes()
    {
        await _log.DisposeAsync();
        var path = System.IO.Path.Combine(_folder, "indexed.db");
        var oldId = _ids.Next();
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            await using var command = connection.CreateCommand();
            command.CommandText = $"""
                {LogSchema.Create.Replace("DROP INDEX IF EXISTS messages_id;", "CREATE UNIQUE INDEX messages_id ON messages(ns, id);", StringComparison.Ordinal)}
                DROP INDEX messages_named;
                INSERT INTO messages (seq, ns, id, state, due_ms, written_ms, meta, payload) VALUES (7, 'ns', '{oldId}', 0, 0, 0, x'', x'01');
                """;
            await command.ExecuteNonQueryAsync(Ct);
        }

        _log = new SqliteLog(path, _time, _ids);
        var newId = await AppendAsync();

        Assert.Equal(MessageState.Pending, (await _log.GetStatusAsync("ns", oldId, _time.GetUtcNow(), Ct))!.State);
        Assert.Equal(MessageState.Pending, (await _log.GetStatusAsync("ns", newId, _time.GetUtcNow(), Ct))!.State);
        Assert.Null(await _log.GetStatusAsync("ns", "no such id", _time.GetUtcNow(), Ct));
        Assert.Equal(2, (await LeaseAsync()).Count);
    }

    [Fact]
    public void ASecondLogOnTheSameFileIsRefusedNamingIt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new SqliteLog(Path, _time, _ids));

        Assert.Contains(Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("another WalService process", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnIdempotencyKeyIsHonouredWithinItsWindowOnly()
    {
        var first = await AppendAsync(key: "k1");
        var repeat = await AppendAsync(key: "k1");
        _time.Advance(Window);
        var later = await AppendAsync(key: "k1");

        Assert.Equal(first, repeat);
        Assert.NotEqual(first, later);
        Assert.Equal(2, await _log.CountUndeliveredAsync("ns", Ct));
    }

    [Fact]
    public async Task NoMessageOfAKeyIsHandedOutWhileAnEarlierOneIsLeased()
    {
        var a1 = await AppendAsync(orderingKey: "a");
        var a2 = await AppendAsync(orderingKey: "a");
        var b1 = await AppendAsync(orderingKey: "b");

        var leased = (await LeaseAsync(max: 2)).Select(m => m.Envelope.MessageId).ToList();
        Assert.Equal([a1, b1], leased.Order(StringComparer.Ordinal));

        Assert.Empty(await LeaseAsync());
        _time.Advance(Lease);
        var expired = await LeaseAsync(max: 2);
        await _log.DeadLetterAsync(expired.Single(m => m.Envelope.MessageId == a1), _time.GetUtcNow(), "poison", Ct);
        var next = await LeaseAsync();

        Assert.Equal(a2, Assert.Single(next).Envelope.MessageId);
    }

    [Fact]
    public async Task MessagesOfAKeyDueTogetherAreLeasedTogetherInWriteOrder()
    {
        var a1 = await AppendAsync(orderingKey: "a");
        var b1 = await AppendAsync(orderingKey: "b");
        var a2 = await AppendAsync(orderingKey: "a");
        var a3 = await AppendAsync(orderingKey: "a");

        var leased = (await LeaseAsync()).Select(m => m.Envelope.MessageId).ToList();

        Assert.Equal([a1, a2, a3], leased.Where(id => id != b1));
        Assert.Contains(b1, leased);
        Assert.Empty(await LeaseAsync());
    }

    [Fact]
    public async Task ARunOfAKeyStopsBeforeItsFirstMessageNotYetDue()
    {
        var a1 = await AppendAsync(orderingKey: "a");
        var a2 = await AppendAsync(delay: TimeSpan.FromMinutes(10), orderingKey: "a");
        var a3 = await AppendAsync(orderingKey: "a");

        var first = await LeaseAsync();
        await _log.AckAsync(first, _time.GetUtcNow(), Ct);
        var beforeDue = await LeaseAsync();
        _time.Advance(TimeSpan.FromMinutes(10));
        var afterDue = await LeaseAsync();

        Assert.Equal(a1, Assert.Single(first).Envelope.MessageId);
        Assert.Empty(beforeDue);
        Assert.Equal([a2, a3], afterDue.Select(m => m.Envelope.MessageId));
    }

    [Fact]
    public async Task AMessageHeldBehindADelayedOneOfItsKeyDoesNotMakeTheLogLookDue()
    {
        await AppendAsync(delay: TimeSpan.FromMinutes(10), orderingKey: "k");
        await AppendAsync(orderingKey: "k");

        Assert.Empty(await LeaseAsync());
        Assert.Equal(_time.GetUtcNow().AddMinutes(10), await _log.NextDueAsync("ns", Ct));
    }

    [Fact]
    public async Task RedriveWithARateSpreadsDueTimes()
    {
        for (var i = 0; i < 4; i++)
        {
            await AppendAsync();
        }

        foreach (var message in await LeaseAsync())
        {
            await _log.DeadLetterAsync(message, _time.GetUtcNow(), "boom", Ct);
        }

        var redriven = await _log.RedriveAsync("ns", [], maxPerSecond: 2, _time.GetUtcNow(), Ct);

        Assert.Equal(4, redriven);
        Assert.Single(await LeaseAsync());
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, (await LeaseAsync()).Count);
        _time.Advance(TimeSpan.FromSeconds(1));
        var last = Assert.Single(await LeaseAsync());
        Assert.Equal(1, last.Attempt);
    }

    [Fact]
    public async Task TrimForgetsAppliedMessagesAfterTheirWindow()
    {
        var id = await AppendAsync();
        await _log.AckAsync([Assert.Single(await LeaseAsync())], _time.GetUtcNow(), Ct);

        await _log.TrimAsync("ns", _time.GetUtcNow().AddSeconds(-1), _time.GetUtcNow(), Ct);
        Assert.NotNull(await _log.GetStatusAsync("ns", id, _time.GetUtcNow(), Ct));
        await _log.TrimAsync("ns", _time.GetUtcNow().AddSeconds(1), _time.GetUtcNow(), Ct);

        Assert.Null(await _log.GetStatusAsync("ns", id, _time.GetUtcNow(), Ct));
    }

    [Fact]
    public async Task ASubscriptionLeasesOnlyItsNamespaceAndItsVerdictsReachTheLog()
    {
        var id = await AppendAsync();
        await using var other = await _log.SubscribeAsync(Embedded("other"), Ct);
        await using var subscription = await _log.SubscribeAsync(Embedded("ns"), Ct);

        Assert.Empty(await other.LeaseDueAsync(10, _time.GetUtcNow(), Lease, Ct));
        var leased = Assert.Single(await subscription.LeaseDueAsync(10, _time.GetUtcNow(), Lease, Ct));
        await subscription.AckAsync([leased], _time.GetUtcNow(), Ct);

        Assert.Equal(id, leased.Envelope.MessageId);
        Assert.Equal(MessageState.Applied, (await _log.GetStatusAsync("ns", id, _time.GetUtcNow(), Ct))!.State);
        Assert.Null(await subscription.NextDueAsync(Ct));
    }

    [Fact]
    public async Task SubscribingToANamespaceOfAnotherBackendIsRefused()
    {
        var kafka = NamespaceSettings.From(new Namespace { Config = new NamespaceConfig { Name = "ns", Kafka = new KafkaBackend() } });

        await Assert.ThrowsAsync<ArgumentException>(async () => await _log.SubscribeAsync(kafka, Ct));
    }

    private static NamespaceSettings Embedded(string name) => NamespaceSettings.From(new Namespace { Config = new NamespaceConfig { Name = name } });

    private Task<IReadOnlyList<LeasedMessage>> LeaseAsync(int max = 10) => _log.LeaseDueAsync("ns", max, _time.GetUtcNow(), Lease, Ct);

    private async Task<string> AppendAsync(TimeSpan delay = default, string key = "", string orderingKey = "")
    {
        var now = _time.GetUtcNow();
        var meta = new EnvelopeMeta
        {
            MessageId = _ids.Next(),
            Namespace = "ns",
            DeliverAtMs = (now + delay).ToUnixTimeMilliseconds(),
            OriginalWriteTimeMs = now.ToUnixTimeMilliseconds(),
            IdempotencyKey = key,
            OrderingKey = orderingKey,
        };
        var results = await _log.AppendAsync([new AppendRequest(new Envelope(meta, new byte[] { 1 }), Window)], Ct);
        var result = Assert.Single(results);
        Assert.Equal(Trilean.True, result.Durable);
        return result.MessageId;
    }
}
