using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using StackExchange.Redis;
using WalService.Api.V1;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

/// <summary>The redis target against a real redis-server: atomic batches, ttls, last writer wins per key, error classes.</summary>
public sealed class RedisTargetTests(RedisTargetServer redis) : WalServerTest(ServerTest.Deadline), IClassFixture<RedisTargetServer>
{
    private static readonly DateTimeOffset T1 = new(2024, 1, 1, 0, 0, 1, TimeSpan.Zero);
    private static readonly DateTimeOffset T2 = T1.AddSeconds(1);

    protected override WalServerFactory Factory => redis.Server;

    private IDatabase Cache => redis.Database;

    private static NamespaceConfig RedisNamespace(string endpoint = "", TimeSpan? ttl = null) => new()
    {
        Name = Namespaces.UniqueName("redis"),
        Target = new Target { Redis = new RedisTarget { Endpoint = endpoint, Ttl = ttl is { } t ? Duration.FromTimeSpan(t) : null } },
        Retry = new RetryPolicy { MaxAttempts = 100, InitialBackoff = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)), MaxBackoff = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) },
    };

    private static CacheMutation Set(string key, string value, TimeSpan? ttl = null) =>
        new() { Key = key, SetValue = ByteString.CopyFromUtf8(value), Ttl = ttl is { } t ? Duration.FromTimeSpan(t) : null };

    private static CacheMutation Delete(string key) => new() { Key = key, Delete = true };

    private static string Key(string name) => $"{name}:{Guid.NewGuid():N}";

    [Fact]
    public async Task SetsDeletesAndTtlsOfOneMessageApplyTogether()
    {
        var config = await CreateAsync(RedisNamespace("cache", ttl: TimeSpan.FromSeconds(30)));
        var (plain, own, gone, twice) = (Key("plain"), Key("own-ttl"), Key("gone"), Key("twice"));
        await Cache.StringSetAsync(gone, "stale");

        var id = await WriteAsync(config.Name, [Set(plain, "1"), Set(own, "2", TimeSpan.FromMinutes(5)), Delete(gone), Set(twice, "first"), Set(twice, "second")]);
        await WaitForStateAsync(config.Name, id, MessageState.Applied);

        Assert.Equal("1", (string?)await Cache.StringGetAsync(plain));
        Assert.Equal("2", (string?)await Cache.StringGetAsync(own));
        Assert.False(await Cache.KeyExistsAsync(gone));
        Assert.Equal("second", (string?)await Cache.StringGetAsync(twice));
        Assert.InRange((await Cache.KeyTimeToLiveAsync(plain))!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        Assert.InRange((await Cache.KeyTimeToLiveAsync(own))!.Value, TimeSpan.FromSeconds(31), TimeSpan.FromMinutes(5));
        Assert.InRange((await Cache.KeyTimeToLiveAsync("wal-version:{" + plain + "}"))!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        Assert.EndsWith(":" + id, (string?)await Cache.StringGetAsync("wal-version:{" + gone + "}"), StringComparison.Ordinal);
        Assert.InRange((await Cache.KeyTimeToLiveAsync("wal-version:{" + gone + "}"))!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task WithoutAnyTtlKeysAndTheVersionsOfDeletedKeysNeverExpire()
    {
        var config = await CreateAsync(RedisNamespace());
        var (key, gone) = (Key("forever"), Key("gone"));

        var id = await WriteAsync(config.Name, [Set(key, "v"), Delete(gone)]);
        await WaitForStateAsync(config.Name, id, MessageState.Applied);

        Assert.Equal("v", (string?)await Cache.StringGetAsync(key));
        Assert.Null(await Cache.KeyTimeToLiveAsync(key));
        Assert.Null(await Cache.KeyTimeToLiveAsync("wal-version:{" + key + "}"));
        Assert.False(await Cache.KeyExistsAsync(gone));
        Assert.Null(await Cache.KeyTimeToLiveAsync("wal-version:{" + gone + "}"));
        Assert.True(await Cache.KeyExistsAsync("wal-version:{" + gone + "}"));
    }

    [Fact]
    public async Task AnOlderMessageReplayedAfterANewerOneLeavesTheNewerValue()
    {
        var config = await CreateAsync(RedisNamespace());
        var key = Key("lww");

        var newer = await WriteAsync(config.Name, [Set(key, "t2")], T2);
        await WaitForStateAsync(config.Name, newer, MessageState.Applied);
        var older = await WriteAsync(config.Name, [Set(key, "t1")], T1);
        await WaitForStateAsync(config.Name, older, MessageState.Applied);

        Assert.Equal("t2", (string?)await Cache.StringGetAsync(key));
        Assert.StartsWith($"{T2.ToUnixTimeMilliseconds():D15}:{newer}", (string?)await Cache.StringGetAsync("wal-version:{" + key + "}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AtTheSameWriteTimeTheHigherMessageIdWins()
    {
        var config = await CreateAsync(RedisNamespace());
        var key = Key("tie");

        // The lower id is written first but delivered after the higher one, which is not delayed.
        var lower = await WriteAsync(config.Name, [Set(key, "lower")], T1, delay: TimeSpan.FromSeconds(1));
        var higher = await WriteAsync(config.Name, [Set(key, "higher")], T1);
        await WaitForStateAsync(config.Name, higher, MessageState.Applied);
        await WaitForStateAsync(config.Name, lower, MessageState.Applied);

        Assert.True(string.CompareOrdinal(lower, higher) < 0);
        Assert.Equal("higher", (string?)await Cache.StringGetAsync(key));
    }

    [Fact]
    public async Task AnOlderSetAfterADeleteCannotBringTheKeyBack()
    {
        var config = await CreateAsync(RedisNamespace());
        var key = Key("deleted");

        var set = await WriteAsync(config.Name, [Set(key, "t0")], T1.AddSeconds(-1));
        await WaitForStateAsync(config.Name, set, MessageState.Applied);
        var delete = await WriteAsync(config.Name, [Delete(key)], T2);
        await WaitForStateAsync(config.Name, delete, MessageState.Applied);
        var older = await WriteAsync(config.Name, [Set(key, "t1")], T1);
        await WaitForStateAsync(config.Name, older, MessageState.Applied);

        Assert.False(await Cache.KeyExistsAsync(key));
    }

    [Fact]
    public async Task WhileRedisIsDownDeliveriesAreRetriedAndApplyOnceItIsBack()
    {
        var config = await CreateAsync(RedisNamespace());
        var key = Key("outage");
        await redis.Redis.HaltAsync();
        try
        {
            var id = await WriteAsync(config.Name, [Set(key, "after the outage")]);

            var retrying = await Eventually.WaitAsync(
                async () => await Wal.GetStatusAsync(config.Name, id, Ct) is { State: MessageState.RetryScheduled, Attempts: >= 2 } s ? s : null,
                TimeSpan.FromSeconds(30),
                "a second failed attempt");
            Assert.Contains("Redis 'default' failed", retrying.LastError, StringComparison.Ordinal);

            await redis.Redis.ResumeAsync();
            await Eventually.WaitAsync(
                async () => (await Wal.GetStatusAsync(config.Name, id, Ct)).State == MessageState.Applied,
                TimeSpan.FromSeconds(30),
                "the delivery to apply once Redis is back");
            Assert.Equal("after the outage", (string?)await Cache.StringGetAsync(key));
        }
        finally
        {
            await redis.Redis.ResumeAsync();
        }
    }

    [Fact]
    public async Task AnUnparsablePayloadIsDeadLetteredNamingThePayload()
    {
        var config = await CreateAsync(RedisNamespace());

        var write = await Wal.Log.WriteToLogAsync(new WriteToLogRequest { Namespace = config.Name, Payload = ByteString.CopyFrom(0xFF, 0xFF, 0xFF) }, cancellationToken: Ct);
        var status = await WaitForStateAsync(config.Name, write.MessageId, MessageState.DeadLettered);

        Assert.Contains("payload is not a wal.v1.CacheMutationBatch", status.LastError, StringComparison.Ordinal);
        Assert.Equal(1, status.Attempts);
    }

    [Fact]
    public async Task AnOverlongKeyDeadLettersTheWholeMessage()
    {
        var config = await CreateAsync(RedisNamespace());
        var fine = Key("fine");

        var id = await WriteAsync(config.Name, [Set(fine, "v"), Set(new string('k', 1025), "v")]);
        var status = await WaitForStateAsync(config.Name, id, MessageState.DeadLettered);

        Assert.Contains("mutations[1].key", status.LastError, StringComparison.Ordinal);
        Assert.False(await Cache.KeyExistsAsync(fine));
    }

    [Fact]
    public async Task AnEndpointOutsideTheServersConfigurationIsInvalid()
    {
        var unknown = RedisNamespace("127.0.0.1:6379");

        await AssertRpcErrorAsync(
            StatusCode.InvalidArgument,
            () => CreateAsync(unknown),
            "config.target.redis.endpoint '127.0.0.1:6379' is not a Redis of this server's configuration (Wal:Redis:127.0.0.1:6379:Configuration)");
    }

    private async Task<string> WriteAsync(string ns, CacheMutation[] mutations, DateTimeOffset? writeTime = null, TimeSpan? delay = null)
    {
        var lifecycle = new Lifecycle
        {
            OriginalWriteTime = writeTime is { } t ? Timestamp.FromDateTimeOffset(t) : null,
            Delay = delay is { } d ? Duration.FromTimeSpan(d) : null,
        };
        var response = await Wal.Log.WriteToLogAsync(
            new WriteToLogRequest { Namespace = ns, Lifecycle = lifecycle, Payload = new CacheMutationBatch { Mutations = { mutations } }.ToByteString() },
            cancellationToken: Ct);
        Assert.Equal(Trilean.True, response.Durable);
        return response.MessageId;
    }
}
