using WalService.Core.Model.Storage;
using WalService.Core.Abstractions;
using WalService.Core.Model;

namespace WalService.PostgresTests;

/// <summary>What every <see cref="IDeadLetterArchive"/> must do, run against each archive.</summary>
public abstract class DeadLetterArchiveContract : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    protected IDeadLetterArchive Archive { get; private set; } = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => Archive = await CreateArchiveAsync();

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    protected abstract Task<IDeadLetterArchive> CreateArchiveAsync();

    private static ArchivedDeadLetter Dead(string id, string ns = "ns", int attempts = 1, string error = "HTTP 400", byte[]? payload = null) =>
        new(
            new Envelope(new EnvelopeMeta { MessageId = id, Namespace = ns, OriginalWriteTimeMs = T0.ToUnixTimeMilliseconds() }, payload ?? [1, 2, 3]),
            attempts,
            error,
            T0.AddMinutes(attempts));

    private static async Task<List<string>> IdsAsync(IDeadLetterArchive archive, string ns, int pageSize, string? afterId, params string[] messageIds) =>
        [.. (await archive.ListAsync(ns, pageSize, afterId, messageIds, Ct)).Select(d => d.Envelope.MessageId)];

    [Fact]
    public async Task ADeadLetterComesBackAsItWasKept()
    {
        var meta = new EnvelopeMeta
        {
            MessageId = "m-1",
            Namespace = "ns",
            DeliverAtMs = T0.AddSeconds(30).ToUnixTimeMilliseconds(),
            Attempt = 4,
            OriginalWriteTimeMs = T0.ToUnixTimeMilliseconds(),
            OrderingKey = "customer-7",
            IdempotencyKey = "order-1",
            Headers = { ["content-type"] = "application/json", ["x-trace"] = "abc" },
        };
        byte[] payload = [0, 255, 7, 0, 42];
        await Archive.AddAsync([new ArchivedDeadLetter(new Envelope(meta, payload), 4, "HTTP 422: bad order", T0.AddMinutes(3))], Ct);

        var kept = Assert.Single(await Archive.ListAsync("ns", 10, null, [], Ct));

        Assert.Equal(meta, kept.Envelope.Meta);
        Assert.Equal(T0.AddSeconds(30), kept.Envelope.DeliverAt);
        Assert.Equal(payload, kept.Envelope.Payload.ToArray());
        Assert.Equal((4, "HTTP 422: bad order", T0.AddMinutes(3)), (kept.Attempts, kept.LastError, kept.DeadLetteredAt));
    }

    [Fact]
    public async Task AnEmptyPayloadComesBackEmpty()
    {
        await Archive.AddAsync([Dead("m-1", payload: [])], Ct);

        var kept = Assert.Single(await Archive.ListAsync("ns", 10, null, [], Ct));

        Assert.Equal(0, kept.Envelope.Payload.Length);
    }

    [Fact]
    public async Task AddingAKeptDeadLetterAgainReplacesIt()
    {
        await Archive.AddAsync([Dead("m-1", attempts: 1, error: "HTTP 400", payload: [1])], Ct);
        await Archive.AddAsync([Dead("m-1", attempts: 3, error: "HTTP 410", payload: [9, 9])], Ct);

        var kept = Assert.Single(await Archive.ListAsync("ns", 10, null, [], Ct));

        Assert.Equal((3, "HTTP 410", T0.AddMinutes(3)), (kept.Attempts, kept.LastError, kept.DeadLetteredAt));
        Assert.Equal([9, 9], kept.Envelope.Payload.ToArray());
        Assert.Equal(1L, await Archive.CountAsync("ns", Ct));
    }

    [Fact]
    public async Task PagesFollowOrdinalIdOrderAfterTheGivenId()
    {
        string[] ids = ["m-2", "a", "m-10", "B", "m-1"];
        await Archive.AddAsync([.. ids.Select(id => Dead(id))], Ct);

        var first = await IdsAsync(Archive, "ns", 2, null);
        var second = await IdsAsync(Archive, "ns", 2, first[^1]);
        var third = await IdsAsync(Archive, "ns", 2, second[^1]);
        var past = await IdsAsync(Archive, "ns", 2, third[^1]);

        Assert.Equal(["B", "a"], first);
        Assert.Equal(["m-1", "m-10"], second);
        Assert.Equal(["m-2"], third);
        Assert.Empty(past);
    }

    [Fact]
    public async Task GivenIdsListOnlyThoseThatAreKept()
    {
        await Archive.AddAsync([Dead("m-1"), Dead("m-2"), Dead("m-3"), Dead("m-4")], Ct);

        var chosen = await IdsAsync(Archive, "ns", 10, null, "m-4", "m-2", "m-unknown");
        var chosenAfter = await IdsAsync(Archive, "ns", 10, "m-2", "m-4", "m-2", "m-1");
        var chosenPaged = await IdsAsync(Archive, "ns", 1, null, "m-4", "m-3");

        Assert.Equal(["m-2", "m-4"], chosen);
        Assert.Equal(["m-4"], chosenAfter);
        Assert.Equal(["m-3"], chosenPaged);
    }

    [Fact]
    public async Task NamespacesAreKeptApart()
    {
        await Archive.AddAsync([Dead("m-1", "ns"), Dead("m-1", "other", attempts: 5), Dead("m-2", "other")], Ct);

        var mine = Assert.Single(await Archive.ListAsync("ns", 10, null, [], Ct));
        var removed = await Archive.RemoveAsync("other", [], Ct);

        Assert.Equal(("ns", 1), (mine.Envelope.Meta.Namespace, mine.Attempts));
        Assert.Equal(2L, removed);
        Assert.Equal(1L, await Archive.CountAsync("ns", Ct));
        Assert.Equal(0L, await Archive.CountAsync("other", Ct));
    }

    [Fact]
    public async Task RemovingGivenIdsForgetsThoseAndAnswersHowManyWereKept()
    {
        await Archive.AddAsync([Dead("m-1"), Dead("m-2"), Dead("m-3")], Ct);

        var removed = await Archive.RemoveAsync("ns", ["m-1", "m-3", "m-unknown"], Ct);
        var again = await Archive.RemoveAsync("ns", ["m-1"], Ct);

        Assert.Equal((2L, 0L), (removed, again));
        Assert.Equal(["m-2"], await IdsAsync(Archive, "ns", 10, null));
    }

    [Fact]
    public async Task RemovingWithoutIdsForgetsTheWholeNamespace()
    {
        await Archive.AddAsync([Dead("m-1"), Dead("m-2"), Dead("m-3")], Ct);

        var removed = await Archive.RemoveAsync("ns", [], Ct);

        Assert.Equal(3L, removed);
        Assert.Empty(await Archive.ListAsync("ns", 10, null, [], Ct));
        Assert.Equal(0L, await Archive.RemoveAsync("ns", [], Ct));
    }

    [Fact]
    public async Task CountIsTheNumberKeptInTheNamespace()
    {
        Assert.Equal(0L, await Archive.CountAsync("ns", Ct));

        await Archive.AddAsync([.. Enumerable.Range(0, 5).Select(i => Dead($"m-{i}"))], Ct);
        await Archive.AddAsync([Dead("m-0"), Dead("m-9", "other")], Ct);

        Assert.Equal(5L, await Archive.CountAsync("ns", Ct));
    }
}
