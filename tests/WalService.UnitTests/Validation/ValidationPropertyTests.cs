using System.Text.RegularExpressions;
using CsCheck;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;
using WalService.Core.Model;
using WalService.Core.Validation;

namespace WalService.UnitTests.Validation;

/// <summary>
/// Random requests and namespace configs, well-formed or not, through the validators: they never throw, and every
/// rejection names a field and stays short whatever the input's size.
/// </summary>
public sealed partial class ValidationPropertyTests
{
    /// <summary>The longest rejection message: a field, a rule, and at most a short quote of the input.</summary>
    private const int MaxMessageLength = 600;

    private const int Seconds = 2;

    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly Gen<string> Text =
        Gen.Frequency(
            (4, Gen.Char["abz09.-_A\n\r\0 '\\é\u202e"].Array[0, 12].Select(c => new string(c))),
            (1, Gen.Char["a\n"].Array[0, 3000].Select(c => new string(c))),
            (1, Gen.Const(string.Empty)));

    private static readonly Gen<Duration> AnyDuration = Gen.Select(
        Gen.Frequency((2, Gen.Long[-1000, 1000]), (2, Gen.Long[-400_000_000_000, 400_000_000_000]), (1, Gen.Long)),
        Gen.Frequency((2, Gen.Int[-10, 10]), (2, Gen.Int[-1_100_000_000, 1_100_000_000]), (1, Gen.Int)),
        (seconds, nanos) => new Duration { Seconds = seconds, Nanos = nanos });

    private static readonly Gen<Timestamp> AnyTimestamp = Gen.Select(
        Gen.Frequency((2, Gen.Long[1_700_000_000, 1_900_000_000]), (2, Gen.Long[-300_000_000_000, 300_000_000_000]), (1, Gen.Long)),
        Gen.Frequency((2, Gen.Int[0, 999_999_999]), (1, Gen.Int)),
        (seconds, nanos) => new Timestamp { Seconds = seconds, Nanos = nanos });

    private static readonly Gen<Target?> AnyTarget = Gen.Frequency<Target?>(
        (1, Gen.Const<Target?>(() => null)),
        (1, Gen.Const<Target?>(new Target())),
        (1, Gen.Const<Target?>(new Target { Noop = new NoopTarget() })),
        (2, Gen.Select(Gen.OneOf(Gen.Const("http://127.0.0.1:9/x"), Gen.Const("not a url"), Gen.Const("ftp://x/")), Gen.Null(AnyDuration, 0.3), (url, timeout) => (Target?)new Target { Http = new HttpTarget { Url = url, Timeout = timeout } })),
        (2, Gen.Select(Text, Text, (store, table) => (Target?)new Target { Kv = new KvTarget { Store = store, Table = table } })),
        (1, Gen.Select(Text, Gen.Null(AnyDuration, 0.3), (endpoint, ttl) => (Target?)new Target { Redis = new RedisTarget { Endpoint = endpoint, Ttl = ttl } })));

    private static readonly Gen<Lifecycle?> AnyLifecycle = Gen.Null(
        Gen.Select(Gen.Null(AnyDuration, 0.5), Gen.Null(AnyTimestamp, 0.5), Gen.Null(AnyTimestamp, 0.5), (delay, at, original) => new Lifecycle { Delay = delay, DeliverAt = at, OriginalWriteTime = original }),
        0.2);

    private static readonly Gen<WriteToLogRequest> AnyRequest = Gen.Select(
        Text,
        AnyLifecycle,
        Gen.Int[0, 40],
        AnyTarget,
        Gen.OneOf(Text, Gen.Char['a', 'z'].Array[500, 600].Select(c => new string(c))),
        Text,
        (ns, lifecycle, payload, target, key, orderingKey) => new WriteToLogRequest
        {
            Namespace = ns,
            Lifecycle = lifecycle,
            Payload = ByteString.CopyFrom(new byte[payload]),
            Target = target,
            IdempotencyKey = key,
            OrderingKey = orderingKey,
        });

    private static readonly Gen<RetryPolicy?> AnyRetry = Gen.Null(
        Gen.Select(Gen.Int[-5, 2000], Gen.Null(AnyDuration, 0.3), Gen.Null(AnyDuration, 0.3), Gen.Double[-1, 200], Gen.Double[-1, 2], (attempts, initial, max, multiplier, jitter) => new RetryPolicy
        {
            MaxAttempts = attempts,
            InitialBackoff = initial,
            MaxBackoff = max,
            BackoffMultiplier = multiplier,
            Jitter = jitter,
        }),
        0.3);

    private static readonly Gen<NamespaceConfig> AnyConfig = Gen.Select(
        Gen.Frequency((3, Gen.Char["abc09.-_"].Array[1, 10].Select(c => "n" + new string(c))), (1, Text)),
        AnyTarget,
        AnyRetry,
        Gen.Null(AnyDuration, 0.4),
        Gen.Null(AnyDuration, 0.4),
        Gen.Int[-10, 2_000_000],
        Gen.Bool,
        (name, target, retry, maxDelay, dedup, payload, allowOverride) => new NamespaceConfig
        {
            Name = name,
            Target = target,
            Retry = retry,
            MaxDelay = maxDelay,
            DedupWindow = dedup,
            MaxPayloadBytes = payload,
            AllowTargetOverride = allowOverride,
        });

    [Fact]
    public void NamespaceConfigValidationNeverThrowsAndNamesTheFieldOfEveryViolation() =>
        AnyConfig.Sample(
            config =>
            {
                var errors = NamespaceConfigValidator.Validate(config, TestTargets.Catalog);
                errors.ToList().ForEach(AssertNamesAFieldAndIsBounded);
                if (errors.Count == 0)
                {
                    // A config that passes is one the runtime can resolve.
                    Assert.NotNull(NamespaceSettings.From(new Namespace { Config = config }));
                }
            },
            time: Seconds,
            threads: 1);

    [Fact]
    public void WriteValidationNeverThrowsAndNamesTheFieldOfEveryRejection() =>
        Gen.Select(AnyConfig, AnyRequest).Sample(
            (config, request) =>
            {
                if (NamespaceConfigValidator.Validate(config, TestTargets.Catalog).Count > 0)
                {
                    return;
                }

                var ns = NamespaceSettings.From(new Namespace { Config = config, Version = 1 });
                if (WriteValidator.Validate(request, ns, TestTargets.Catalog, Now, out var deliverAt) is { } rejection)
                {
                    AssertNamesAFieldAndIsBounded(rejection.Message);
                }
                else
                {
                    Assert.InRange(deliverAt, Now, Now + ns.MaxDelay);
                }
            },
            time: Seconds,
            threads: 1);

    [Fact]
    public void RandomBytesParsedAsARequestNeverMakeValidationThrow()
    {
        var ns = NamespaceSettings.From(new Namespace { Config = new NamespaceConfig { Name = "orders", Target = new Target { Noop = new NoopTarget() }, AllowTargetOverride = true }, Version = 1 });
        Gen.Byte.Array[0, 200].Sample(
            bytes =>
            {
                WriteToLogRequest request;
                try
                {
                    request = WriteToLogRequest.Parser.ParseFrom(bytes);
                }
                catch (InvalidProtocolBufferException)
                {
                    return;
                }

                if (WriteValidator.Validate(request, ns, TestTargets.Catalog, Now, out _) is { } rejection)
                {
                    AssertNamesAFieldAndIsBounded(rejection.Message);
                }
            },
            time: Seconds,
            threads: 1);
    }

    [Fact]
    public void RandomBytesParsedAsAConfigNeverMakeValidationThrow() =>
        Gen.Byte.Array[0, 200].Sample(
            bytes =>
            {
                NamespaceConfig config;
                try
                {
                    config = NamespaceConfig.Parser.ParseFrom(bytes);
                }
                catch (InvalidProtocolBufferException)
                {
                    return;
                }

                NamespaceConfigValidator.Validate(config, TestTargets.Catalog).ToList().ForEach(AssertNamesAFieldAndIsBounded);
            },
            time: Seconds,
            threads: 1);

    private static void AssertNamesAFieldAndIsBounded(string message)
    {
        Assert.Matches(FieldFirst(), message);
        Assert.True(message.Length <= MaxMessageLength, $"{message.Length} characters: {message[..Math.Min(200, message.Length)]}");
    }

    /// <summary>A message starts with the field it is about: <c>config.retry.max_backoff ...</c>, <c>lifecycle: ...</c>, <c>config.allowed_clients[2] ...</c>.</summary>
    [GeneratedRegex(@"\A(config|lifecycle|payload|idempotency_key|ordering_key|target|namespace|headers|chunk)(\.[a-z_]+|\[\d+\]|\[""(?:[^""\\]|\\.)*""\])*[ :]")]
    private static partial Regex FieldFirst();
}
