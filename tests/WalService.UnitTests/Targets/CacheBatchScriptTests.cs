using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using StackExchange.Redis;
using WalService.Api.V1;
using WalService.Targets.Redis;

namespace WalService.UnitTests.Targets;

public sealed class CacheBatchScriptTests
{
    private const string Version = "001700000000000:01HZX";

    private static CacheMutationBatch Batch(params CacheMutation[] mutations) => new() { Mutations = { mutations } };

    private static CacheMutation Set(string key, string value, Duration? ttl = null) => new() { Key = key, SetValue = ByteString.CopyFromUtf8(value), Ttl = ttl };

    [Fact]
    public void VersionsOrderAsStringsByWriteTimeThenMessageId()
    {
        var versions = new[]
        {
            CacheBatchScript.Version(999, "01J00000000000000000000000"),
            CacheBatchScript.Version(1000, "01H00000000000000000000000"),
            CacheBatchScript.Version(1000, "01H00000000000000000000001"),
            CacheBatchScript.Version(1_700_000_000_000, "01A00000000000000000000000"),
        };

        Assert.Equal(versions, versions.Order(StringComparer.Ordinal));
        Assert.Equal("000000000001000:01H00000000000000000000000", versions[1]);
    }

    [Fact]
    public void AWriteTimeBefore1970CountsAs1970()
    {
        Assert.Equal("000000000000000:id", CacheBatchScript.Version(-5, "id"));
    }

    [Fact]
    public void EachMutationBringsItsKeyItsVersionKeyAndThreeArguments()
    {
        var batch = Batch(Set("user:1", "alice"), new CacheMutation { Key = "user:2", Delete = true }, new CacheMutation { Key = "empty" });

        Assert.Null(CacheBatchScript.TryBuild(batch, null, Version, out var keys, out var values));

        Assert.Equal<RedisKey[]>(["user:1", "wal-version:{user:1}", "user:2", "wal-version:{user:2}", "empty", "wal-version:{empty}"], keys);
        Assert.Equal<RedisValue[]>([Version, 1, "alice", 0, 0, string.Empty, 0, 1, string.Empty, 0], values);
    }

    [Fact]
    public void AMutationsTtlWinsOverTheTargetsAndZeroFallsBackToIt()
    {
        var batch = Batch(
            Set("own", "v", Duration.FromTimeSpan(TimeSpan.FromSeconds(2))),
            Set("zero", "v", new Duration()),
            Set("inherited", "v"),
            Set("sub-millisecond", "v", new Duration { Nanos = 1 }));

        Assert.Null(CacheBatchScript.TryBuild(batch, Duration.FromTimeSpan(TimeSpan.FromMinutes(1)), Version, out _, out var values));

        Assert.Equal<RedisValue[]>([2000, 60_000, 60_000, 1], [values[3], values[6], values[9], values[12]]);
    }

    [Theory]
    [InlineData("", "mutations[0].key is required")]
    [InlineData("long", "mutations[0].key '")]
    public void AnEmptyOrOverlongKeyIsAProblemNamingTheMutation(string key, string expected)
    {
        var name = key == "long" ? new string('é', 513) : key;

        var problem = CacheBatchScript.TryBuild(Batch(Set(name, "v")), null, Version, out _, out _);

        Assert.NotNull(problem);
        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AKeyOfExactly1024BytesIsAccepted()
    {
        Assert.Null(CacheBatchScript.TryBuild(Batch(Set(new string('é', 512), "v")), null, Version, out _, out _));
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0, -1)]
    [InlineData(1, -1)]
    public void ANegativeOrMalformedMutationTtlIsAProblem(long seconds, int nanos)
    {
        var problem = CacheBatchScript.TryBuild(Batch(Set("k", "v"), Set("k", "v", new Duration { Seconds = seconds, Nanos = nanos })), null, Version, out _, out _);

        Assert.Equal("mutations[1].ttl must be a well-formed duration that is not negative", problem);
    }
}
