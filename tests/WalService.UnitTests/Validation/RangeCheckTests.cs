using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using WalService.Api.V1;
using WalService.Core.Model;
using WalService.Core.Validation;

namespace WalService.UnitTests.Validation;

/// <summary>Out-of-range Durations and Timestamps are rejections naming the field, never exceptions.</summary>
public sealed class RangeCheckTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static NamespaceConfig Config() => new() { Name = "orders", Target = new Target { Noop = new NoopTarget() }, AllowTargetOverride = true };

    private static WriteRejection? Write(Lifecycle lifecycle, NamespaceConfig? config = null) =>
        WriteValidator.Validate(
            new WriteToLogRequest { Namespace = "orders", Lifecycle = lifecycle },
            NamespaceSettings.From(new Namespace { Config = config ?? Config(), Version = 1 }),
            TestTargets.Catalog,
            Now,
            out _);

    public static TheoryData<string, Lifecycle> MalformedLifecycles => new()
    {
        { "lifecycle.delay", new Lifecycle { Delay = new Duration { Seconds = 1_000_000_000_000 } } },
        { "lifecycle.delay", new Lifecycle { Delay = new Duration { Seconds = 1, Nanos = -1 } } },
        { "lifecycle.delay", new Lifecycle { Delay = new Duration { Nanos = 1_000_000_000 } } },
        { "lifecycle.deliver_at", new Lifecycle { DeliverAt = new Timestamp { Seconds = -219_842_668_800 } } },
        { "lifecycle.deliver_at", new Lifecycle { DeliverAt = new Timestamp { Seconds = 1_800_000_000, Nanos = -1 } } },
        { "lifecycle.deliver_at", new Lifecycle { DeliverAt = new Timestamp { Seconds = long.MaxValue } } },
        { "lifecycle.original_write_time", new Lifecycle { OriginalWriteTime = new Timestamp { Seconds = 300_000_000_000 } } },
        { "lifecycle.original_write_time", new Lifecycle { OriginalWriteTime = new Timestamp { Nanos = int.MinValue } } },
    };

    [Theory]
    [MemberData(nameof(MalformedLifecycles))]
    public void MalformedLifecycleTimesAreInvalidNamingTheField(string field, Lifecycle lifecycle)
    {
        var rejection = Write(lifecycle);

        Assert.NotNull(rejection);
        Assert.Equal(StatusCode.InvalidArgument, rejection.Code);
        Assert.StartsWith(field + " is not a valid", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NegativeNanosOfADelayAreNegative()
    {
        var rejection = Write(new Lifecycle { Delay = new Duration { Nanos = -1 } });

        Assert.Equal("lifecycle.delay must not be negative", rejection?.Message);
    }

    [Fact]
    public void ADelayUpToTheLongestMaxDelayIsAccepted()
    {
        var config = Config();
        config.MaxDelay = Duration.FromTimeSpan(TimeRules.MaxSetting);

        Assert.Null(Write(new Lifecycle { Delay = Duration.FromTimeSpan(TimeRules.MaxSetting) }, config));
    }

    [Fact]
    public void AWellFormedOriginalWriteTimeIsAccepted() =>
        Assert.Null(Write(new Lifecycle { OriginalWriteTime = Timestamp.FromDateTimeOffset(Now.AddYears(-3)) }));

    public static TheoryData<string, Action<NamespaceConfig>> MalformedSettings => new()
    {
        { "config.max_delay", c => c.MaxDelay = new Duration { Seconds = 1_000_000_000_000 } },
        { "config.max_delay", c => c.MaxDelay = Duration.FromTimeSpan(TimeSpan.FromDays(36_501)) },
        { "config.dedup_window", c => c.DedupWindow = new Duration { Seconds = -315_576_000_001 } },
        { "config.dedup_window", c => c.DedupWindow = new Duration { Seconds = 1, Nanos = -5 } },
        { "config.retry.initial_backoff", c => c.Retry = new RetryPolicy { InitialBackoff = new Duration { Nanos = 2_000_000_000 } } },
        { "config.retry.max_backoff", c => c.Retry = new RetryPolicy { MaxBackoff = new Duration { Seconds = 1_000_000_000_000 } } },
        { "config.target.http.timeout", c => c.Target = new Target { Http = new HttpTarget { Url = "http://127.0.0.1/x", Timeout = new Duration { Seconds = 1_000_000_000_000 } } } },
        { "config.target.http.timeout", c => c.Target = new Target { Http = new HttpTarget { Url = "http://127.0.0.1/x", Timeout = new Duration { Nanos = 1_000_000_000 } } } },
        { "config.target.redis.ttl", c => c.Target = new Target { Redis = new RedisTarget { Ttl = new Duration { Seconds = -1, Nanos = 1 } } } },
    };

    [Theory]
    [MemberData(nameof(MalformedSettings))]
    public void OutOfRangeSettingsAreViolationsNamingTheField(string field, Action<NamespaceConfig> change)
    {
        var config = Config();
        change(config);

        var errors = NamespaceConfigValidator.Validate(config, TestTargets.Catalog);

        Assert.Contains(errors, e => e.StartsWith(field + " ", StringComparison.Ordinal));
    }

    [Fact]
    public void AMalformedTargetDurationStillLetsTheHandlerNameTheOtherViolations()
    {
        var config = Config();
        config.Target = new Target { Http = new HttpTarget { Url = "not a url", Timeout = new Duration { Seconds = 1_000_000_000_000 } } };

        var errors = NamespaceConfigValidator.Validate(config, TestTargets.Catalog);

        Assert.Contains(errors, e => e.StartsWith("config.target.http.timeout is not a valid Duration", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("config.target.http.url", StringComparison.Ordinal));
    }

    [Fact]
    public void AMalformedTimeoutOfATargetOverrideIsInvalidNamingTheField()
    {
        var rejection = WriteValidator.Validate(
            new WriteToLogRequest { Namespace = "orders", Target = new Target { Http = new HttpTarget { Url = "http://127.0.0.1/x", Timeout = new Duration { Seconds = -1, Nanos = 5 } } } },
            NamespaceSettings.From(new Namespace { Config = Config(), Version = 1 }),
            TestTargets.Catalog,
            Now,
            out _);

        Assert.Equal(StatusCode.InvalidArgument, rejection?.Code);
        Assert.StartsWith("target.http.timeout is not a valid Duration", rejection?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RequestLimitsNameTheFieldAndBoundTheLength()
    {
        Assert.Null(RequestLimits.Namespace(new string('a', 128), "namespace"));
        Assert.Equal("namespace is 129 characters; a namespace name has at most 128", RequestLimits.Namespace(new string('a', 129), "namespace"));
        Assert.Equal("name is required", RequestLimits.Namespace(string.Empty, "name"));
        Assert.Equal("message_id is required", RequestLimits.MessageId(string.Empty, "message_id"));
        Assert.StartsWith("message_id is 100000 characters", RequestLimits.MessageId(new string('x', 100_000), "message_id"), StringComparison.Ordinal);
        Assert.StartsWith("message_ids[1] is required", RequestLimits.MessageIds(["a", ""], "message_ids"), StringComparison.Ordinal);
        Assert.Null(RequestLimits.MessageIds([], "message_ids"));
    }
}
