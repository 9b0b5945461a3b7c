using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using WalService.Api.V1;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

/// <summary>
/// Every kind of bad input, on every RPC of both services: each answers its status code with a short message that
/// names the field, and the server then still takes a normal write durably (nothing was broken or lost).
/// </summary>
public sealed partial class BadInputTests(WalServerFactory factory) : ServerTest(factory)
{
    /// <summary>The longest status detail the server sends, in UTF-8 bytes.</summary>
    private const int MaxDetailBytes = 1024;

    private static readonly string Huge = new('a', 100_000);
    private static readonly Duration TenToTheTwelveSeconds = new() { Seconds = 1_000_000_000_000 };
    private static readonly Duration MixedSigns = new() { Seconds = 1, Nanos = -1 };
    private static readonly Duration BillionNanos = new() { Nanos = 1_000_000_000 };
    private static readonly Timestamp YearMinus5000 = new() { Seconds = -219_842_668_800 };

    private static readonly Dictionary<string, BadInput> Cases =
        new[] { WriteCases(), BatchCases(), StatusCases(), CreateCases(), BackendCases(), AdminCases() }
            .SelectMany(c => c)
            .ToDictionary(c => c.Name, StringComparer.Ordinal);

    /// <summary>A namespace taking target overrides, payloads of at most 16 bytes and delays of at most an hour.</summary>
    private string Open { get; set; } = string.Empty;

    /// <summary>A namespace without target overrides.</summary>
    private string Closed { get; set; } = string.Empty;

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        var open = Namespaces.Noop("bad-open");
        open.AllowTargetOverride = true;
        open.MaxPayloadBytes = 16;
        open.MaxDelay = Duration.FromTimeSpan(TimeSpan.FromHours(1));
        Open = (await CreateAsync(open)).Name;
        Closed = (await CreateAsync(Namespaces.Noop("bad-closed"))).Name;
    }

    [Fact]
    public void TheSuiteCoversAtLeastEightyKindsOfBadInput() => Assert.True(Cases.Count >= 80, $"{Cases.Count} cases");

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task BadInputIsRefusedNamingTheFieldAndTheServerGoesOn(string name)
    {
        var bad = Cases[name];

        var error = await Assert.ThrowsAsync<RpcException>(() => bad.Call(this));

        Assert.Equal(bad.Code, error.StatusCode);
        Assert.Contains(bad.Field, error.Status.Detail, StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(error.Status.Detail) <= MaxDetailBytes, $"{error.Status.Detail.Length} characters of detail");
        await WriteDurableAsync(Open, "ok");
    }

    private static BadInput Write(string name, StatusCode code, string field, Func<BadInputTests, WriteToLogRequest> request) =>
        new(name, code, field, t => t.Wal.Log.WriteToLogAsync(request(t), cancellationToken: Ct).ResponseAsync);

    /// <summary>The bad entry between two good ones: the good ones must be durable, the bad one's answer is raised as its status.</summary>
    private static BadInput Batch(string name, string field, Func<BadInputTests, WriteToLogRequest> request) =>
        new(name, StatusCode.InvalidArgument, field, async t =>
        {
            var batch = new WriteToLogBatchRequest();
            batch.Entries.Add([new WriteToLogRequest { Namespace = t.Open }, request(t), new WriteToLogRequest { Namespace = t.Open }]);
            var results = (await t.Wal.Log.WriteToLogBatchAsync(batch, cancellationToken: Ct)).Results;
            Assert.Equal(Trilean.True, results[0].Durable);
            Assert.Equal(Trilean.True, results[2].Durable);
            Assert.Equal(Trilean.False, results[1].Durable);
            throw new RpcException(new Status((StatusCode)results[1].Code, results[1].Message));
        });

    private static WriteToLogRequest Delayed(BadInputTests t, Lifecycle lifecycle) => new() { Namespace = t.Open, Lifecycle = lifecycle };

    private static WriteToLogRequest Overriding(BadInputTests t, Target target) => new() { Namespace = t.Open, Target = target };

    private static IEnumerable<BadInput> WriteCases() =>
    [
        Write("write: empty namespace", StatusCode.InvalidArgument, "namespace", _ => new WriteToLogRequest()),
        Write("write: namespace of 129 characters", StatusCode.InvalidArgument, "namespace", _ => new WriteToLogRequest { Namespace = new string('n', 129) }),
        Write("write: namespace of 100 KB", StatusCode.InvalidArgument, "namespace", _ => new WriteToLogRequest { Namespace = Huge }),
        Write("write: unknown namespace", StatusCode.NotFound, "namespace", _ => new WriteToLogRequest { Namespace = "no-such-namespace" }),
        Write("write: unknown namespace with a newline", StatusCode.NotFound, "namespace 'x\\n'", _ => new WriteToLogRequest { Namespace = "x\n" }),
        Write("write: delay of 10^12 s", StatusCode.InvalidArgument, "lifecycle.delay", t => Delayed(t, new Lifecycle { Delay = TenToTheTwelveSeconds })),
        Write("write: delay of -10^12 s", StatusCode.InvalidArgument, "lifecycle.delay", t => Delayed(t, new Lifecycle { Delay = new Duration { Seconds = -1_000_000_000_000 } })),
        Write("write: delay with seconds and nanos of opposite signs", StatusCode.InvalidArgument, "lifecycle.delay", t => Delayed(t, new Lifecycle { Delay = MixedSigns })),
        Write("write: delay of a billion nanos", StatusCode.InvalidArgument, "lifecycle.delay", t => Delayed(t, new Lifecycle { Delay = BillionNanos })),
        Write("write: delay of long.MaxValue seconds", StatusCode.InvalidArgument, "lifecycle.delay", t => Delayed(t, new Lifecycle { Delay = new Duration { Seconds = long.MaxValue, Nanos = int.MaxValue } })),
        Write("write: negative delay", StatusCode.InvalidArgument, "lifecycle.delay", t => Delayed(t, new Lifecycle { Delay = new Duration { Seconds = -1 } })),
        Write("write: delay of -1 nanosecond", StatusCode.InvalidArgument, "lifecycle.delay", t => Delayed(t, new Lifecycle { Delay = new Duration { Nanos = -1 } })),
        Write("write: delay beyond max_delay", StatusCode.InvalidArgument, "lifecycle.delay", t => Delayed(t, new Lifecycle { Delay = Duration.FromTimeSpan(TimeSpan.FromHours(2)) })),
        Write("write: deliver_at in year -5000", StatusCode.InvalidArgument, "lifecycle.deliver_at", t => Delayed(t, new Lifecycle { DeliverAt = YearMinus5000 })),
        Write("write: deliver_at in year 10000", StatusCode.InvalidArgument, "lifecycle.deliver_at", t => Delayed(t, new Lifecycle { DeliverAt = new Timestamp { Seconds = 253_402_300_800 } })),
        Write("write: deliver_at of long.MaxValue seconds", StatusCode.InvalidArgument, "lifecycle.deliver_at", t => Delayed(t, new Lifecycle { DeliverAt = new Timestamp { Seconds = long.MaxValue } })),
        Write("write: deliver_at with negative nanos", StatusCode.InvalidArgument, "lifecycle.deliver_at", t => Delayed(t, new Lifecycle { DeliverAt = new Timestamp { Seconds = 1_800_000_000, Nanos = -1 } })),
        Write("write: deliver_at with a billion nanos", StatusCode.InvalidArgument, "lifecycle.deliver_at", t => Delayed(t, new Lifecycle { DeliverAt = new Timestamp { Seconds = 1_800_000_000, Nanos = 1_000_000_000 } })),
        Write("write: deliver_at beyond max_delay", StatusCode.InvalidArgument, "lifecycle.deliver_at", t => Delayed(t, new Lifecycle { DeliverAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(2)) })),
        Write("write: delay and deliver_at both", StatusCode.InvalidArgument, "lifecycle", t => Delayed(t, new Lifecycle { Delay = new Duration { Seconds = 1 }, DeliverAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) })),
        Write("write: original_write_time in year -5000", StatusCode.InvalidArgument, "lifecycle.original_write_time", t => Delayed(t, new Lifecycle { OriginalWriteTime = YearMinus5000 })),
        Write("write: original_write_time with negative nanos", StatusCode.InvalidArgument, "lifecycle.original_write_time", t => Delayed(t, new Lifecycle { OriginalWriteTime = new Timestamp { Nanos = -1 } })),
        Write("write: original_write_time of long.MinValue seconds", StatusCode.InvalidArgument, "lifecycle.original_write_time", t => Delayed(t, new Lifecycle { OriginalWriteTime = new Timestamp { Seconds = long.MinValue } })),
        Write("write: payload above max_payload_bytes", StatusCode.InvalidArgument, "payload", t => new WriteToLogRequest { Namespace = t.Open, Payload = ByteString.CopyFrom(new byte[17]) }),
        Write("write: idempotency_key of 513 characters", StatusCode.InvalidArgument, "idempotency_key", t => new WriteToLogRequest { Namespace = t.Open, IdempotencyKey = new string('k', 513) }),
        Write("write: idempotency_key of 100 KB", StatusCode.InvalidArgument, "idempotency_key", t => new WriteToLogRequest { Namespace = t.Open, IdempotencyKey = Huge }),
        Write("write: ordering_key of 513 characters", StatusCode.InvalidArgument, "ordering_key", t => new WriteToLogRequest { Namespace = t.Open, OrderingKey = new string('k', 513) }),
        Write("write: target override where none is allowed", StatusCode.InvalidArgument, "allow_target_override", t => new WriteToLogRequest { Namespace = t.Closed, Target = new Target { Noop = new NoopTarget() } }),
        Write("write: target override of no kind", StatusCode.InvalidArgument, "target", t => Overriding(t, new Target())),
        Write("write: target http url not a URL", StatusCode.InvalidArgument, "target.http.url", t => Overriding(t, new Target { Http = new HttpTarget { Url = "not-a-url" } })),
        Write("write: target http timeout of 10^12 s", StatusCode.InvalidArgument, "target.http.timeout", t => Overriding(t, new Target { Http = new HttpTarget { Url = "http://127.0.0.1:9/x", Timeout = TenToTheTwelveSeconds } })),
        Write("write: target http timeout with opposite signs", StatusCode.InvalidArgument, "target.http.timeout", t => Overriding(t, new Target { Http = new HttpTarget { Url = "http://127.0.0.1:9/x", Timeout = MixedSigns } })),
        Write("write: target kv table with a trailing newline", StatusCode.InvalidArgument, "target.kv.table", t => Overriding(t, new Target { Kv = new KvTarget { Table = "x\n" } })),
        Write("write: target kv store unknown", StatusCode.InvalidArgument, "target.kv.store", t => Overriding(t, new Target { Kv = new KvTarget { Store = Huge, Table = "t" } })),
        Write("write: target redis ttl of a billion nanos", StatusCode.InvalidArgument, "target.redis.ttl", t => Overriding(t, new Target { Redis = new RedisTarget { Ttl = BillionNanos } })),
    ];

    private static IEnumerable<BadInput> BatchCases() =>
    [
        Batch("batch: delay of 10^12 s", "lifecycle.delay", t => Delayed(t, new Lifecycle { Delay = TenToTheTwelveSeconds })),
        Batch("batch: delay with opposite signs", "lifecycle.delay", t => Delayed(t, new Lifecycle { Delay = MixedSigns })),
        Batch("batch: deliver_at in year -5000", "lifecycle.deliver_at", t => Delayed(t, new Lifecycle { DeliverAt = YearMinus5000 })),
        Batch("batch: original_write_time with a billion nanos", "lifecycle.original_write_time", t => Delayed(t, new Lifecycle { OriginalWriteTime = new Timestamp { Nanos = 1_000_000_000 } })),
        Batch("batch: namespace of 100 KB", "namespace", _ => new WriteToLogRequest { Namespace = Huge }),
        Batch("batch: empty namespace", "namespace", _ => new WriteToLogRequest()),
        Batch("batch: idempotency_key of 100 KB", "idempotency_key", t => new WriteToLogRequest { Namespace = t.Open, IdempotencyKey = Huge }),
        Batch("batch: target http timeout of 10^12 s", "target.http.timeout", t => Overriding(t, new Target { Http = new HttpTarget { Url = "http://127.0.0.1:9/x", Timeout = TenToTheTwelveSeconds } })),
        new("batch: more entries than the batch limit", StatusCode.InvalidArgument, "entries", t =>
        {
            var batch = new WriteToLogBatchRequest();
            batch.Entries.Add(Enumerable.Range(0, 1001).Select(_ => new WriteToLogRequest { Namespace = t.Open }));
            return t.Wal.Log.WriteToLogBatchAsync(batch, cancellationToken: Ct).ResponseAsync;
        }),
    ];

    private static IEnumerable<BadInput> StatusCases()
    {
        BadInput Status(string name, StatusCode code, string field, Func<BadInputTests, GetMessageStatusRequest> request) =>
            new(name, code, field, t => t.Wal.Log.GetMessageStatusAsync(request(t), cancellationToken: Ct).ResponseAsync);

        return
        [
            Status("status: empty namespace", StatusCode.InvalidArgument, "namespace", _ => new GetMessageStatusRequest { MessageId = "01" }),
            Status("status: namespace of 100 KB", StatusCode.InvalidArgument, "namespace", _ => new GetMessageStatusRequest { Namespace = Huge, MessageId = "01" }),
            Status("status: unknown namespace", StatusCode.NotFound, "namespace", _ => new GetMessageStatusRequest { Namespace = "no-such-namespace", MessageId = "01" }),
            Status("status: empty message_id", StatusCode.InvalidArgument, "message_id", t => new GetMessageStatusRequest { Namespace = t.Open }),
            Status("status: message_id of 129 characters", StatusCode.InvalidArgument, "message_id", t => new GetMessageStatusRequest { Namespace = t.Open, MessageId = new string('m', 129) }),
            Status("status: message_id of 100 KB", StatusCode.InvalidArgument, "message_id", t => new GetMessageStatusRequest { Namespace = t.Open, MessageId = Huge }),
            Status("status: unknown message_id", StatusCode.NotFound, "message_id", t => new GetMessageStatusRequest { Namespace = t.Open, MessageId = "01ZZZZZZZZZZZZZZZZZZZZZZZZ" }),
        ];
    }

    /// <summary>One kind of bad input: the call, the status it answers, and the text its message must contain.</summary>
    private sealed record BadInput(string Name, StatusCode Code, string Field, Func<BadInputTests, Task> Call);
}
