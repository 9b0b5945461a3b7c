using Grpc.Core;
using WalService.Api.V1;
using WalService.Core.Model;
using WalService.Core.Validation;

namespace WalService.UnitTests.Replication;

/// <summary>What a replicate target must be, and what a write to a replicated namespace may not carry.</summary>
public sealed class ReplicateTargetValidationTests
{
    private static Target Http(string url = "http://127.0.0.1/x") => new() { Http = new HttpTarget { Url = url } };

    private static Target Replicate(params (string Region, Target? Target)[] regions)
    {
        var replicate = new ReplicateTarget();
        replicate.Regions.Add(regions.Select(r => new RegionTarget { Region = r.Region, Target = r.Target }));
        return new Target { Replicate = replicate };
    }

    private static List<string> Validate(Target target) => [.. TestTargets.Catalog.Validate(target, "config.target")];

    [Fact]
    public void RegionsWithTargetsOfTheirOwnAreValid()
    {
        Assert.Empty(Validate(Replicate(("eu-west", Http()), ("us-east", new Target { Noop = new NoopTarget() }))));
    }

    [Fact]
    public void EveryProblemOfEveryRegionIsNamedByItsField()
    {
        var errors = Validate(Replicate(("EU", Http()), ("b", null), ("c", Replicate(("d", Http()))), ("e", Http("ftp://x")), ("e", Http())));

        Assert.Contains(errors, e => e.StartsWith("config.target.replicate.regions[0].region", StringComparison.Ordinal));
        Assert.Contains("config.target.replicate.regions[1].target is required", errors);
        Assert.Contains("config.target.replicate.regions[2].target must not be replicate", errors);
        Assert.Contains(errors, e => e.StartsWith("config.target.replicate.regions[3].target.http.url", StringComparison.Ordinal));
        Assert.Contains("config.target.replicate.regions[4].region 'e' is named twice", errors);
    }

    [Fact]
    public void NoRegionOrMoreThanSixteenIsRefused()
    {
        Assert.Contains("config.target.replicate.regions must name 1 to 16 regions; it names 0", Validate(Replicate()));
        var seventeen = Replicate([.. Enumerable.Range(0, 17).Select(i => ($"r{i}", (Target?)Http()))]);
        Assert.Contains("config.target.replicate.regions must name 1 to 16 regions; it names 17", Validate(seventeen));
    }

    [Fact]
    public void ARegionsKindThisServerLacksIsNamedAsUnsupported()
    {
        var target = Replicate(("a", Http()), ("b", new Target { Sqs = new SqsTarget { QueueName = "q" } }));

        Assert.Equal("config.target.replicate.regions[1].target.sqs", TestTargets.Catalog.Unsupported(target, "config.target"));
        Assert.Null(TestTargets.Catalog.Unsupported(Replicate(("a", Http())), "config.target"));
    }

    [Fact]
    public void AReplicatedNamespacesLeaseOutlastsItsSlowestRegion()
    {
        var slow = new Target { Http = new HttpTarget { Url = "http://127.0.0.1/x", Timeout = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(90)) } };

        Assert.Equal(TimeSpan.FromSeconds(90), TestTargets.Catalog.DeliveryTimeout(Replicate(("a", Http()), ("b", slow))));
    }

    [Fact]
    public void AWriteMayNotOverrideItsTargetWithReplicate()
    {
        var rejection = Write(new WriteToLogRequest { Target = Replicate(("a", Http())) }, allowOverride: true);

        Assert.Equal(StatusCode.InvalidArgument, rejection?.Code);
        Assert.StartsWith("target: replicate", rejection?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AChunkToAReplicatedNamespaceIsRefusedNamingTheChunk()
    {
        var rejection = Write(new WriteToLogRequest { Chunk = new Chunk { TransactionId = "t", Sequence = 0, Last = true } }, allowOverride: false);

        Assert.Equal(StatusCode.InvalidArgument, rejection?.Code);
        Assert.StartsWith("chunk:", rejection?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnIdempotencyKeyWithAControlCharacterIsRefused()
    {
        var rejection = Write(new WriteToLogRequest { IdempotencyKey = "a\u001Fb" }, allowOverride: false);

        Assert.Equal(StatusCode.InvalidArgument, rejection?.Code);
        Assert.Equal("idempotency_key must not hold control characters", rejection?.Message);
    }

    private static WriteRejection? Write(WriteToLogRequest request, bool allowOverride)
    {
        var config = new NamespaceConfig { Name = "cache", Target = Replicate(("a", Http())), AllowTargetOverride = allowOverride };
        var settings = NamespaceSettings.From(new Namespace { Config = config, Version = 1 });
        return WriteValidator.Validate(request, settings, TestTargets.Catalog, DateTimeOffset.UtcNow, out _);
    }
}
