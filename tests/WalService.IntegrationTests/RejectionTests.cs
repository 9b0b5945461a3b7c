using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

public sealed class RejectionTests(WalServerFactory factory) : ServerTest(factory)
{
    private Task<WriteToLogResponse> Write(WriteToLogRequest request) => Wal.Log.WriteToLogAsync(request, cancellationToken: Ct).ResponseAsync;

    [Fact]
    public async Task EmptyNamespaceIsInvalid() =>
        await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => Write(new WriteToLogRequest()), "namespace is required");

    [Fact]
    public async Task UnknownNamespaceIsNotFound() =>
        await AssertRpcErrorAsync(StatusCode.NotFound, () => Write(new WriteToLogRequest { Namespace = "no-such-namespace" }), "no-such-namespace");

    [Fact]
    public async Task LifecycleAndPayloadViolationsAreInvalidAndNameTheField()
    {
        var config = Namespaces.Noop();
        config.MaxPayloadBytes = 8;
        config.MaxDelay = Duration.FromTimeSpan(TimeSpan.FromMinutes(1));
        await CreateAsync(config);
        WriteToLogRequest Request(Lifecycle? lifecycle = null, int payload = 1) =>
            new() { Namespace = config.Name, Lifecycle = lifecycle, Payload = ByteString.CopyFrom(new byte[payload]) };

        await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => Write(Request(new Lifecycle { Delay = new Duration { Seconds = -1 } })), "lifecycle.delay");
        await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => Write(Request(new Lifecycle { Delay = Duration.FromTimeSpan(TimeSpan.FromMinutes(2)) })), "max_delay");
        await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => Write(Request(new Lifecycle { DeliverAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(1)) })), "lifecycle.deliver_at");
        await AssertRpcErrorAsync(
            StatusCode.InvalidArgument,
            () => Write(Request(new Lifecycle { Delay = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)), DeliverAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) })),
            "not both");
        await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => Write(Request(payload: 9)), "max_payload_bytes=8");
    }

    [Fact]
    public async Task TargetOverrideIsInvalidUnlessAllowedAndWellFormed()
    {
        var closed = await CreateAsync(Namespaces.Noop());
        var open = Namespaces.Noop();
        open.AllowTargetOverride = true;
        await CreateAsync(open);

        await AssertRpcErrorAsync(
            StatusCode.InvalidArgument,
            () => Write(new WriteToLogRequest { Namespace = closed.Name, Target = new Target { Noop = new NoopTarget() } }),
            "allow_target_override");
        await AssertRpcErrorAsync(
            StatusCode.InvalidArgument,
            () => Write(new WriteToLogRequest { Namespace = open.Name, Target = new Target { Http = new HttpTarget { Url = "not-a-url" } } }),
            "target.http.url");
        await AssertRpcErrorAsync(
            StatusCode.InvalidArgument,
            () => Write(new WriteToLogRequest { Namespace = open.Name, Target = new Target { Redis = new RedisTarget { Endpoint = "127.0.0.1:1" } } }),
            "target.redis.endpoint '127.0.0.1:1' is not a Redis of this server's configuration");
    }

    [Fact]
    public async Task NamespaceOfAnotherShardIsAFailedPreconditionNamingTheShard()
    {
        var config = Namespaces.Noop();
        config.Shard = "eu-west";
        await CreateAsync(config);

        await AssertRpcErrorAsync(StatusCode.FailedPrecondition, () => Write(new WriteToLogRequest { Namespace = config.Name }), "shard 'eu-west'");
    }

    [Fact]
    public async Task RateLimitAnswersResourceExhaustedWithRetryAfter()
    {
        var config = Namespaces.Noop();
        config.Limits = new WriteLimits { WritesPerSecond = 1, Burst = 2 };
        await CreateAsync(config);
        var request = new WriteToLogRequest { Namespace = config.Name };

        await Write(request);
        await Write(request);
        var error = await AssertRpcErrorAsync(StatusCode.ResourceExhausted, () => Write(request), "writes per second");

        var retryAfter = error.Trailers.GetValue("retry-after-ms");
        Assert.NotNull(retryAfter);
        Assert.InRange(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture), 1, 1000);
    }

    [Fact]
    public async Task AllowedClientsAreEnforced()
    {
        var config = Namespaces.Noop();
        config.AllowedClients.Add("billing");
        await CreateAsync(config);
        var request = new WriteToLogRequest { Namespace = config.Name };

        await AssertRpcErrorAsync(StatusCode.Unauthenticated, () => Write(request), "no client identity");
        await AssertRpcErrorAsync(
            StatusCode.PermissionDenied,
            () => Factory.CreateWalClient(clientId: "marketing").Log.WriteToLogAsync(request, cancellationToken: Ct).ResponseAsync,
            "'marketing'");
        var allowed = await Factory.CreateWalClient(clientId: "billing").Log.WriteToLogAsync(request, cancellationToken: Ct);
        Assert.Equal(Trilean.True, allowed.Durable);
    }

    [Fact]
    public async Task BatchEntriesAreJudgedOneByOne()
    {
        var config = await CreateAsync(Namespaces.Noop());
        var batch = new WriteToLogBatchRequest
        {
            Entries =
            {
                new WriteToLogRequest { Namespace = config.Name, Payload = ByteString.CopyFromUtf8("a") },
                new WriteToLogRequest { Namespace = "missing-namespace" },
                new WriteToLogRequest { Namespace = config.Name, Lifecycle = new Lifecycle { Delay = new Duration { Seconds = -5 } } },
                new WriteToLogRequest { Namespace = config.Name, Payload = ByteString.CopyFromUtf8("b") },
            },
        };

        var response = await Wal.Log.WriteToLogBatchAsync(batch, cancellationToken: Ct);

        Assert.Equal(4, response.Results.Count);
        Assert.Equal([Trilean.True, Trilean.False, Trilean.False, Trilean.True], response.Results.Select(r => r.Durable));
        Assert.Equal([0, (int)StatusCode.NotFound, (int)StatusCode.InvalidArgument, 0], response.Results.Select(r => r.Code));
        Assert.Contains("lifecycle.delay", response.Results[2].Message, StringComparison.Ordinal);
        Assert.True(string.CompareOrdinal(response.Results[0].MessageId, response.Results[3].MessageId) < 0);
    }

    [Fact]
    public async Task BatchAboveTheServerLimitIsInvalidAsAWhole()
    {
        var config = await CreateAsync(Namespaces.Noop());
        var batch = new WriteToLogBatchRequest();
        batch.Entries.Add(Enumerable.Range(0, 1001).Select(_ => new WriteToLogRequest { Namespace = config.Name }));

        await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => Wal.Log.WriteToLogBatchAsync(batch, cancellationToken: Ct).ResponseAsync, "batch limit of 1000");
    }

    [Fact]
    public async Task StatusOfAnUnknownMessageIsNotFound()
    {
        var config = await CreateAsync(Namespaces.Noop());

        await AssertRpcErrorAsync(StatusCode.NotFound, () => Wal.GetStatusAsync(config.Name, "01J0000000000000000000000", Ct), "unknown");
    }

    [Fact]
    public async Task StatusIsAFailedPreconditionWhenTheNamespaceDoesNotTrackIt()
    {
        var config = Namespaces.Noop();
        config.TrackStatus = false;
        await CreateAsync(config);
        var id = await WriteDurableAsync(config.Name, "x", new WalWriteOptions { IdempotencyKey = "k" });

        await AssertRpcErrorAsync(StatusCode.FailedPrecondition, () => Wal.GetStatusAsync(config.Name, id, Ct), "track_status");
        Assert.Equal(id, await WriteDurableAsync(config.Name, "x", new WalWriteOptions { IdempotencyKey = "k" }));
    }
}
