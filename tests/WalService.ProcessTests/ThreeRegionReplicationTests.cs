using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;
using WalService.TestSupport;

namespace WalService.ProcessTests;

/// <summary>
/// Cross-region replication between three real server processes, regions a, b and c, each with a data folder and a
/// Redis of its own. b and c keep a namespace <c>cache</c> with a <c>redis</c> target; a's <c>cache</c> replicates to
/// its own Redis and, through <c>wal</c> targets, to b's and c's <c>cache</c>.
/// </summary>
public sealed partial class ThreeRegionReplicationTests : IAsyncLifetime
{
    private const string Cache = "cache";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly List<RegionProcess> _regions = [];
    private RegionProcess _a = null!;
    private RegionProcess _b = null!;
    private RegionProcess _c = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _a = await AddRegionAsync("a");
        _b = await AddRegionAsync("b");
        _c = await AddRegionAsync("c");
        _a.AddRemote(_b);

        // Attempts to c while it is down fail fast anyway (connection refused); the shorter deadline keeps an attempt
        // that c could no longer answer from holding a delivery of a for the default 10 s. Not shorter: a first call
        // to a server just started, on a loaded machine, took over 2 s.
        _a.AddRemote(_c, deadline: TimeSpan.FromSeconds(5));
        await Task.WhenAll(_regions.Select(r => r.Server.StartAsync()));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var region in _regions)
        {
            await region.DisposeAsync();
        }
    }

    [Fact]
    public async Task AWriteInRegionAReachesTheRedisOfEveryRegion()
    {
        await WithLogTailsOnFailureAsync(async () =>
        {
            Step("1. b and c keep a cache on their own Redis; a replicates its cache to a, b and c");
            await CreateNamespacesAsync(_b, _c);

            Step("2. one write in a: greeting = hello");
            var id = await WriteAsync(("greeting", "hello"));

            Step("3. every region's Redis holds it, and a's status shows every region applied, once");
            await Eventually.WaitAsync(async () => await ReadEverywhereAsync("greeting") is ["hello", "hello", "hello"], Deadline, "greeting in the Redis of every region");
            var status = await AppliedAsync(id);
            Assert.Equal(["a", "b", "c"], status.Regions.Select(r => r.Region));
            Assert.All(status.Regions, r => Assert.Equal((MessageState.Applied, 1, string.Empty), (r.State, r.Attempts, r.LastError)));
        });
    }

    [Fact]
    public async Task ARegionThatKeepsFailingIsDeadLetteredAloneAndARedriveOfItDeliversThereAlone()
    {
        await WithLogTailsOnFailureAsync(async () =>
        {
            Step("1. c has no namespace cache yet: a's forwards to it answer NOT_FOUND, a permanent verdict");
            await CreateNamespacesAsync(_b);

            Step("2. one write in a: a and b apply it, c dead-letters it");
            var id = await WriteAsync(("greeting", "hello"));
            var dead = await Eventually.WaitAsync(
                async () => await StatusAsync(id) is { State: MessageState.DeadLettered } s ? s : null,
                Deadline,
                "the message to be dead-lettered in region c");
            Assert.Equal(
                [("a", MessageState.Applied), ("b", MessageState.Applied), ("c", MessageState.DeadLettered)],
                dead.Regions.Select(r => (r.Region, r.State)));
            Assert.Equal([1, 1], dead.Regions.Take(2).Select(r => r.Attempts));
            Assert.Contains("NOT_FOUND", dead.Regions[2].LastError, StringComparison.Ordinal);
            var deadLetter = Assert.Single(await DeadLettersAsync());
            Assert.Equal((id, "c"), (deadLetter.MessageId, deadLetter.Region));

            // b's status is applied once b has the message durably; its own delivery to its Redis follows.
            await Eventually.WaitAsync(async () => await ReadEverywhereAsync("greeting") is ["hello", "hello", _], Deadline, "greeting in a's and b's Redis");
            Assert.Null((await ReadEverywhereAsync("greeting"))[2]);

            Step("3. a redrive of region a finds nothing to redrive; c gets its namespace; a redrive of region c");
            Assert.Equal(0, await RedriveAsync("a"));
            await CreateRegionalCacheAsync(_c);
            Assert.Equal(1, await RedriveAsync("c"));

            Step("4. c's Redis gets the value; a and b were delivered once, before the redrive and not again");
            await Eventually.WaitAsync(async () => await ReadEverywhereAsync("greeting") is ["hello", "hello", "hello"], Deadline, "greeting in c's Redis");
            var status = await AppliedAsync(id);
            Assert.Equal([("a", 1), ("b", 1)], status.Regions.Take(2).Select(r => (r.Region, r.Attempts)));
            Assert.Equal(dead.Regions[0].AppliedAt, status.Regions[0].AppliedAt);
            Assert.Equal(dead.Regions[1].AppliedAt, status.Regions[1].AppliedAt);
            Assert.Empty(await DeadLettersAsync());
        });
    }

    /// <summary>
    /// Last writer wins by original write time, then message id (the contract's redis target); two writes in a with
    /// the same write time are ordered by a's message ids, so every region must end with the later one, whichever order
    /// the writes reach a region in.
    /// </summary>
    [Fact]
    public async Task TwoWritesOfAKeyWithTheSameWriteTimeEndWithTheLaterOneInEveryRegion()
    {
        await WithLogTailsOnFailureAsync(async () =>
        {
            Step("1. c has no namespace cache yet; the first of two writes with the same original write time is dead-lettered in c");
            await CreateNamespacesAsync(_b);
            var writtenAt = DateTimeOffset.UtcNow;
            var first = await WriteAsync(writtenAt, ("colour", "first"));
            await Eventually.WaitAsync(async () => (await StatusAsync(first)).State == MessageState.DeadLettered, Deadline, "the first write to be dead-lettered in c");

            Step("2. c gets its namespace; the second write, later by message id, reaches every region");
            await CreateRegionalCacheAsync(_c);
            var second = await WriteAsync(writtenAt, ("colour", "second"));
            await AppliedAsync(second);
            await Eventually.WaitAsync(async () => await ReadEverywhereAsync("colour") is ["second", "second", "second"], Deadline, "the second write in every region");

            Step("3. a redrive brings the first write to c: it is older (same write time, earlier message id) and must not win there");
            Assert.Equal(1, await RedriveAsync("c"));
            await AppliedAsync(first);
            var forwarded = await ForwardedIdAsync(_c, first);
            await Eventually.WaitAsync(async () => (await _c.Client.GetStatusAsync(Cache, forwarded, Ct)).State == MessageState.Applied, Deadline, "c to have delivered the first write to its Redis");
            Assert.Equal(["second", "second", "second"], await ReadEverywhereAsync("colour"));
        });
    }

    private static NamespaceConfig RegionalCache() => new()
    {
        Name = Cache,
        Embedded = new EmbeddedBackend(),
        Target = new Target { Redis = new RedisTarget { Endpoint = "default" } },
    };

    private static NamespaceConfig ReplicatedCache() => new()
    {
        Name = Cache,
        Embedded = new EmbeddedBackend(),
        Target = new Target
        {
            Replicate = new ReplicateTarget
            {
                Regions =
                {
                    new RegionTarget { Region = "a", Target = new Target { Redis = new RedisTarget { Endpoint = "default" } } },
                    new RegionTarget { Region = "b", Target = new Target { Wal = new WalTarget { Endpoint = "b", Namespace = Cache } } },
                    new RegionTarget { Region = "c", Target = new Target { Wal = new WalTarget { Endpoint = "c", Namespace = Cache } } },
                },
            },
        },

        // A region's return drains within seconds: a replica waits at most 3 s between attempts. Not less: during an
        // outage every replica of the down region is tried again that often, thousands of attempts a second at 1 s, and
        // on a loaded 2-core machine that work alone slowed the other regions' deliveries.
        Retry = new RetryPolicy
        {
            MaxAttempts = 1000,
            InitialBackoff = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(100)),
            MaxBackoff = Duration.FromTimeSpan(TimeSpan.FromSeconds(3)),
        },
    };

    private static async Task CreateRegionalCacheAsync(RegionProcess region) =>
        await region.Client.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = RegionalCache() }, cancellationToken: Ct);

    private static void Step(string text) => TestContext.Current.TestOutputHelper?.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {text}");

    /// <summary>A write to a's cache that sets each key to its value, with <paramref name="writtenAt"/> as its original write time.</summary>
    private static WriteToLogRequest Write(DateTimeOffset writtenAt, params (string Key, string Value)[] sets)
    {
        var batch = new CacheMutationBatch();
        batch.Mutations.Add(sets.Select(s => new CacheMutation { Key = s.Key, SetValue = ByteString.CopyFromUtf8(s.Value) }));
        return new WriteToLogRequest
        {
            Namespace = Cache,
            Payload = batch.ToByteString(),
            Lifecycle = new Lifecycle { OriginalWriteTime = Timestamp.FromDateTimeOffset(writtenAt) },
        };
    }

    private async Task<RegionProcess> AddRegionAsync(string name)
    {
        var region = await RegionProcess.CreateAsync(name);
        _regions.Add(region);
        return region;
    }

    /// <summary>The regional caches of <paramref name="regions"/>, then a's replicated cache.</summary>
    private async Task CreateNamespacesAsync(params RegionProcess[] regions)
    {
        foreach (var region in regions)
        {
            await CreateRegionalCacheAsync(region);
        }

        await _a.Client.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = ReplicatedCache() }, cancellationToken: Ct);
    }

    private Task<string> WriteAsync(params (string Key, string Value)[] sets) => WriteAsync(DateTimeOffset.UtcNow, sets);

    private async Task<string> WriteAsync(DateTimeOffset writtenAt, params (string Key, string Value)[] sets)
    {
        var response = await _a.Client.Log.WriteToLogAsync(Write(writtenAt, sets), cancellationToken: Ct);
        Assert.Equal(Trilean.True, response.Durable);
        return response.MessageId;
    }

    /// <summary>The key's value in the Redis of a, b and c, in that order.</summary>
    private async Task<string?[]> ReadEverywhereAsync(string key) =>
        [.. await Task.WhenAll(_regions.Select(async r => (await r.ReadAsync([key]))[0]))];

    private Task<MessageStatus> StatusAsync(string id) => _a.Client.GetStatusAsync(Cache, id, Ct);

    private Task<MessageStatus> AppliedAsync(string id) => Eventually.WaitAsync(
        async () => await StatusAsync(id) is { State: MessageState.Applied } s ? s : null,
        Deadline,
        $"message {id} to be applied in every region");

    /// <summary>
    /// The id <paramref name="region"/> gave the message a forwarded to it: a's message id is the forward's idempotency
    /// key, so a write with that key answers the first write's id and enqueues nothing.
    /// </summary>
    private static async Task<string> ForwardedIdAsync(RegionProcess region, string id)
    {
        var request = new WriteToLogRequest { Namespace = Cache, IdempotencyKey = id, Payload = new CacheMutationBatch().ToByteString() };
        return (await region.Client.Log.WriteToLogAsync(request, cancellationToken: Ct)).MessageId;
    }

    private async Task<IReadOnlyList<DeadLetter>> DeadLettersAsync() =>
        (await _a.Client.Admin.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = Cache }, cancellationToken: Ct)).DeadLetters;

    private async Task<long> RedriveAsync(string region) =>
        (await _a.Client.Admin.RedriveDeadLettersAsync(new RedriveDeadLettersRequest { Namespace = Cache, Region = region }, cancellationToken: Ct)).Redriven;

    /// <summary>Runs <paramref name="test"/>, writing every region's server log tail to the test output when it fails.</summary>
    private async Task WithLogTailsOnFailureAsync(Func<Task> test)
    {
        try
        {
            await test();
        }
        catch
        {
            foreach (var region in _regions)
            {
                TestContext.Current.TestOutputHelper?.WriteLine($"region {region.Name} server log tail:{Environment.NewLine}{region.Server.LogTail}");
            }

            throw;
        }
    }
}
