using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;
using WalService.Core.Validation;

namespace WalService.UnitTests;

public sealed class NamespaceConfigValidatorTests
{
    private static NamespaceConfig Valid() => new()
    {
        Name = "orders.eu-1",
        Target = new Target { Http = new HttpTarget { Url = "http://127.0.0.1:9000/apply" } },
    };

    [Fact]
    public void AValidConfigHasNoViolations()
    {
        Assert.Empty(NamespaceConfigValidator.Validate(Valid(), TestTargets.Catalog));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Orders")]
    [InlineData("-orders")]
    [InlineData("orders/eu")]
    public void NameMustMatchThePattern(string name)
    {
        var config = Valid();
        config.Name = name;

        var errors = NamespaceConfigValidator.Validate(config, TestTargets.Catalog);

        Assert.Contains(errors, e => e.StartsWith("config.name", StringComparison.Ordinal));
    }

    [Fact]
    public void NameMayBe128CharactersButNotMore()
    {
        var config = Valid();
        config.Name = new string('a', 128);
        Assert.Empty(NamespaceConfigValidator.Validate(config, TestTargets.Catalog));

        config.Name = new string('a', 129);
        Assert.NotEmpty(NamespaceConfigValidator.Validate(config, TestTargets.Catalog));
    }

    [Fact]
    public void TargetIsRequired()
    {
        var config = Valid();
        config.Target = null;

        Assert.Contains(NamespaceConfigValidator.Validate(config, TestTargets.Catalog), e => e.StartsWith("config.target is required", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1/x")]
    [InlineData("/relative")]
    public void HttpTargetNeedsAnAbsoluteHttpUrl(string url)
    {
        var config = Valid();
        config.Target.Http.Url = url;

        Assert.Contains(NamespaceConfigValidator.Validate(config, TestTargets.Catalog), e => e.StartsWith("config.target.http.url", StringComparison.Ordinal));
    }

    [Fact]
    public void KvTargetNeedsAKnownStoreAndAValidTable()
    {
        var config = Valid();
        config.Target = new Target { Kv = new KvTarget { Store = "elsewhere", Table = "bad-table" } };

        var errors = NamespaceConfigValidator.Validate(config, TestTargets.Catalog);

        Assert.Contains(errors, e => e.StartsWith("config.target.kv.store", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("config.target.kv.table", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryViolationIsNamedAtOnce()
    {
        var config = Valid();
        config.Name = "Bad Name";
        config.MaxPayloadBytes = -1;
        config.MaxDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(-1));
        config.DedupWindow = Duration.FromTimeSpan(TimeSpan.FromSeconds(-1));
        config.Consumer = new ConsumerSettings { Concurrency = 1000, BatchSize = -1 };
        config.Limits = new WriteLimits { WritesPerSecond = -5, Burst = -1 };
        config.Retry = new RetryPolicy { MaxAttempts = -1, BackoffMultiplier = 0.5, Jitter = 2 };
        config.AllowedClients.Add(" ");

        var errors = NamespaceConfigValidator.Validate(config, TestTargets.Catalog);

        string[] fields =
        [
            "config.name", "config.max_payload_bytes", "config.max_delay", "config.dedup_window", "config.consumer.concurrency",
            "config.consumer.batch_size", "config.limits.writes_per_second", "config.limits.burst", "config.retry.max_attempts",
            "config.retry.backoff_multiplier", "config.retry.jitter", "config.allowed_clients[0]",
        ];
        foreach (var field in fields)
        {
            Assert.Contains(errors, e => e.StartsWith(field, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void InitialBackoffMustNotExceedMaxBackoff()
    {
        var config = Valid();
        config.Retry = new RetryPolicy
        {
            InitialBackoff = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)),
            MaxBackoff = Duration.FromTimeSpan(TimeSpan.FromMinutes(1)),
        };

        Assert.Contains(NamespaceConfigValidator.Validate(config, TestTargets.Catalog), e => e.StartsWith("config.retry.initial_backoff", StringComparison.Ordinal));
    }

    [Fact]
    public void ATargetKindWithoutHandlerIsNotAViolation()
    {
        var config = Valid();
        config.Target = new Target { Sqs = new SqsTarget { QueueName = "orders" } };

        Assert.Empty(NamespaceConfigValidator.Validate(config, TestTargets.Catalog));
        Assert.False(TestTargets.Catalog.Supports(Target.KindOneofCase.Sqs));
    }
}
