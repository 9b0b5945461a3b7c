using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using WalService.Api.V1;
using WalService.Core.Model;
using WalService.Core.Validation;

namespace WalService.UnitTests;

public sealed class WriteValidatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static NamespaceSettings Settings(Action<NamespaceConfig>? change = null)
    {
        var config = new NamespaceConfig
        {
            Name = "orders",
            Target = new Target { Noop = new NoopTarget() },
            MaxPayloadBytes = 10,
            MaxDelay = Duration.FromTimeSpan(TimeSpan.FromHours(1)),
        };
        change?.Invoke(config);
        return NamespaceSettings.From(new Namespace { Config = config, Version = 1 });
    }

    private static WriteRejection? Validate(WriteToLogRequest request, NamespaceSettings? settings = null) =>
        WriteValidator.Validate(request, settings ?? Settings(), TestTargets.Catalog, Now, out _);

    [Fact]
    public void APlainWriteIsDueNow()
    {
        var rejection = WriteValidator.Validate(new WriteToLogRequest { Namespace = "orders" }, Settings(), TestTargets.Catalog, Now, out var deliverAt);

        Assert.Null(rejection);
        Assert.Equal(Now, deliverAt);
    }

    [Fact]
    public void DelayMovesTheDeliveryTime()
    {
        var request = new WriteToLogRequest { Lifecycle = new Lifecycle { Delay = Duration.FromTimeSpan(TimeSpan.FromMinutes(5)) } };

        Assert.Null(WriteValidator.Validate(request, Settings(), TestTargets.Catalog, Now, out var deliverAt));
        Assert.Equal(Now.AddMinutes(5), deliverAt);
    }

    [Fact]
    public void PayloadAboveTheLimitIsRejectedNamingTheLimit()
    {
        var rejection = Validate(new WriteToLogRequest { Payload = ByteString.CopyFrom(new byte[11]) });

        Assert.Equal(StatusCode.InvalidArgument, rejection?.Code);
        Assert.Contains("max_payload_bytes=10", rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NegativeDelayIsRejected()
    {
        var rejection = Validate(new WriteToLogRequest { Lifecycle = new Lifecycle { Delay = new Duration { Seconds = -1 } } });

        Assert.Equal(StatusCode.InvalidArgument, rejection?.Code);
        Assert.StartsWith("lifecycle.delay", rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DelayBeyondMaxDelayIsRejected()
    {
        var rejection = Validate(new WriteToLogRequest { Lifecycle = new Lifecycle { Delay = Duration.FromTimeSpan(TimeSpan.FromHours(2)) } });

        Assert.Equal(StatusCode.InvalidArgument, rejection?.Code);
        Assert.Contains("max_delay", rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeliverAtBeyondMaxDelayIsRejected()
    {
        var rejection = Validate(new WriteToLogRequest { Lifecycle = new Lifecycle { DeliverAt = Timestamp.FromDateTimeOffset(Now.AddHours(2)) } });

        Assert.Equal(StatusCode.InvalidArgument, rejection?.Code);
        Assert.StartsWith("lifecycle.deliver_at", rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeliverAtInThePastIsDueNow()
    {
        var request = new WriteToLogRequest { Lifecycle = new Lifecycle { DeliverAt = Timestamp.FromDateTimeOffset(Now.AddHours(-2)) } };

        Assert.Null(WriteValidator.Validate(request, Settings(), TestTargets.Catalog, Now, out var deliverAt));
        Assert.Equal(Now, deliverAt);
    }

    [Fact]
    public void DelayAndDeliverAtTogetherAreRejected()
    {
        var rejection = Validate(new WriteToLogRequest
        {
            Lifecycle = new Lifecycle { Delay = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)), DeliverAt = Timestamp.FromDateTimeOffset(Now) },
        });

        Assert.Equal(StatusCode.InvalidArgument, rejection?.Code);
        Assert.Contains("not both", rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TargetOverrideIsRejectedUnlessAllowed()
    {
        var rejection = Validate(new WriteToLogRequest { Target = new Target { Noop = new NoopTarget() } });

        Assert.Equal(StatusCode.InvalidArgument, rejection?.Code);
        Assert.Contains("allow_target_override", rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedTargetOverrideIsRejected()
    {
        var settings = Settings(c => c.AllowTargetOverride = true);

        var rejection = Validate(new WriteToLogRequest { Target = new Target { Http = new HttpTarget { Url = "nowhere" } } }, settings);

        Assert.Equal(StatusCode.InvalidArgument, rejection?.Code);
        Assert.StartsWith("target.http.url", rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TargetOverrideOfAnUnavailableKindIsUnimplemented()
    {
        var settings = Settings(c => c.AllowTargetOverride = true);

        var rejection = Validate(new WriteToLogRequest { Target = new Target { Sqs = new SqsTarget { QueueName = "q" } } }, settings);

        Assert.Equal(StatusCode.Unimplemented, rejection?.Code);
    }

    [Fact]
    public void OverlongKeysAreRejected()
    {
        var key = new string('k', WriteValidator.MaxKeyLength + 1);

        Assert.StartsWith("idempotency_key", Validate(new WriteToLogRequest { IdempotencyKey = key })!.Message, StringComparison.Ordinal);
        Assert.StartsWith("ordering_key", Validate(new WriteToLogRequest { OrderingKey = key })!.Message, StringComparison.Ordinal);
    }
}
