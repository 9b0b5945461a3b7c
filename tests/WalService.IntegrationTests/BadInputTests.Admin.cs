using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using WalService.Api.V1;

namespace WalService.IntegrationTests;

/// <summary>The bad inputs of <c>NamespaceAdmin</c>: every field of <c>NamespaceConfig</c>, every target kind, every request.</summary>
public sealed partial class BadInputTests
{
    private static NamespaceConfig ValidConfig() => new()
    {
        Name = Namespaces.UniqueName("bad-config"),
        Target = new Target { Http = new HttpTarget { Url = "http://127.0.0.1:9/apply" } },
    };

    private static BadInput Create(string name, string field, Action<NamespaceConfig> change, StatusCode code = StatusCode.InvalidArgument) =>
        new(name, code, field, t =>
        {
            var config = ValidConfig();
            change(config);
            return t.Wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: Ct).ResponseAsync;
        });

    private static BadInput Admin(string name, StatusCode code, string field, Func<BadInputTests, NamespaceAdmin.NamespaceAdminClient, Task> call) =>
        new(name, code, field, t => call(t, t.Wal.Admin));

    private static IEnumerable<BadInput> CreateCases() =>
    [
        new("create: no config", StatusCode.InvalidArgument, "config", t => t.Wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest(), cancellationToken: Ct).ResponseAsync),
        Create("create: empty name", "config.name", c => c.Name = string.Empty),
        Create("create: name with a trailing newline", "config.name", c => c.Name = "abc\n"),
        Create("create: name in capitals", "config.name", c => c.Name = "Orders"),
        Create("create: name of 129 characters", "config.name", c => c.Name = new string('a', 129)),
        Create("create: name of 100 KB", "config.name", c => c.Name = Huge),
        Create("create: shard of 129 characters", "config.shard", c => c.Shard = new string('s', 129)),
        Create("create: no target", "config.target", c => c.Target = null),
        Create("create: target of no kind", "config.target", c => c.Target = new Target()),
        Create("create: http url not a URL", "config.target.http.url", c => c.Target.Http.Url = "not a url"),
        Create("create: http url ftp", "config.target.http.url", c => c.Target.Http.Url = "ftp://127.0.0.1/x"),
        Create("create: http timeout of 10^12 s", "config.target.http.timeout", c => c.Target.Http.Timeout = TenToTheTwelveSeconds),
        Create("create: http timeout with opposite signs", "config.target.http.timeout", c => c.Target.Http.Timeout = MixedSigns),
        Create("create: http timeout of a billion nanos", "config.target.http.timeout", c => c.Target.Http.Timeout = BillionNanos),
        Create("create: http timeout negative", "config.target.http.timeout", c => c.Target.Http.Timeout = new Duration { Seconds = -1 }),
        Create("create: http timeout above 10 minutes", "config.target.http.timeout", c => c.Target.Http.Timeout = Duration.FromTimeSpan(TimeSpan.FromMinutes(11))),
        Create("create: kv store unknown", "config.target.kv.store", c => c.Target = new Target { Kv = new KvTarget { Store = "elsewhere", Table = "t" } }),
        Create("create: kv table with a trailing newline", "config.target.kv.table", c => c.Target = new Target { Kv = new KvTarget { Table = "x\n" } }),
        Create("create: kv table with a dash", "config.target.kv.table", c => c.Target = new Target { Kv = new KvTarget { Table = "bad-table" } }),
        Create("create: kafka target cluster unknown", "config.target.kafka.cluster", c => c.Target = new Target { Kafka = new KafkaTarget { Cluster = Huge, Topic = "t" } }),
        Create("create: kafka target topic with a trailing newline", "config.target.kafka.topic", c => c.Target = new Target { Kafka = new KafkaTarget { Topic = "x\n" } }),
        Create("create: sqs target queue_name with a trailing newline", "config.target.sqs.queue_name", c => c.Target = new Target { Sqs = new SqsTarget { QueueName = "x\n" } }),
        Create("create: sqs target queue_name empty", "config.target.sqs.queue_name", c => c.Target = new Target { Sqs = new SqsTarget() }),
        Create("create: redis ttl with opposite signs", "config.target.redis.ttl", c => c.Target = new Target { Redis = new RedisTarget { Ttl = MixedSigns } }),
        Create("create: wal target endpoint unknown", "config.target.wal.endpoint", c => c.Target = new Target { Wal = new WalTarget { Endpoint = "remote", Namespace = "x" } }),
        Create("create: wal target namespace malformed", "config.target.wal.namespace", c => c.Target = new Target { Wal = new WalTarget { Endpoint = "remote", Namespace = "Not Valid" } }),
        Create("create: retry max_attempts negative", "config.retry.max_attempts", c => c.Retry = new RetryPolicy { MaxAttempts = -1 }),
        Create("create: retry max_attempts 1001", "config.retry.max_attempts", c => c.Retry = new RetryPolicy { MaxAttempts = 1001 }),
        Create("create: retry initial_backoff of 10^12 s", "config.retry.initial_backoff", c => c.Retry = new RetryPolicy { InitialBackoff = TenToTheTwelveSeconds }),
        Create("create: retry max_backoff of 10^12 s", "config.retry.max_backoff", c => c.Retry = new RetryPolicy { MaxBackoff = TenToTheTwelveSeconds }),
        Create("create: retry max_backoff negative", "config.retry.max_backoff", c => c.Retry = new RetryPolicy { MaxBackoff = new Duration { Seconds = -5 } }),
        Create("create: retry max_backoff with opposite signs", "config.retry.max_backoff", c => c.Retry = new RetryPolicy { MaxBackoff = MixedSigns }),
        Create("create: retry initial_backoff above max_backoff", "config.retry.initial_backoff", c => c.Retry = new RetryPolicy { InitialBackoff = new Duration { Seconds = 10 }, MaxBackoff = new Duration { Seconds = 1 } }),
        Create("create: retry backoff_multiplier 0.5", "config.retry.backoff_multiplier", c => c.Retry = new RetryPolicy { BackoffMultiplier = 0.5 }),
        Create("create: retry backoff_multiplier NaN", "config.retry.backoff_multiplier", c => c.Retry = new RetryPolicy { BackoffMultiplier = double.NaN }),
        Create("create: retry jitter 2", "config.retry.jitter", c => c.Retry = new RetryPolicy { Jitter = 2 }),
        Create("create: retry jitter NaN", "config.retry.jitter", c => c.Retry = new RetryPolicy { Jitter = double.NaN }),
        Create("create: max_delay of 10^12 s", "config.max_delay", c => c.MaxDelay = TenToTheTwelveSeconds),
        Create("create: max_delay negative", "config.max_delay", c => c.MaxDelay = new Duration { Nanos = -1 }),
        Create("create: max_delay of 101 years", "config.max_delay", c => c.MaxDelay = Duration.FromTimeSpan(TimeSpan.FromDays(36_865))),
        Create("create: dedup_window of 10^12 s", "config.dedup_window", c => c.DedupWindow = TenToTheTwelveSeconds),
        Create("create: dedup_window with opposite signs", "config.dedup_window", c => c.DedupWindow = new Duration { Seconds = -1, Nanos = 1 }),
        Create("create: max_payload_bytes negative", "config.max_payload_bytes", c => c.MaxPayloadBytes = -1),
        Create("create: consumer concurrency 257", "config.consumer.concurrency", c => c.Consumer = new ConsumerSettings { Concurrency = 257 }),
        Create("create: consumer batch_size negative", "config.consumer.batch_size", c => c.Consumer = new ConsumerSettings { BatchSize = -1 }),
        Create("create: limits writes_per_second negative", "config.limits.writes_per_second", c => c.Limits = new WriteLimits { WritesPerSecond = -1 }),
        Create("create: limits writes_per_second infinite", "config.limits.writes_per_second", c => c.Limits = new WriteLimits { WritesPerSecond = double.PositiveInfinity }),
        Create("create: limits burst negative", "config.limits.burst", c => c.Limits = new WriteLimits { Burst = -1 }),
        Create("create: allowed_clients with an empty entry", "config.allowed_clients[1]", c => c.AllowedClients.Add(["app", ""])),
        new("create: a name already taken", StatusCode.AlreadyExists, "namespace", t =>
            t.Wal.Admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = new NamespaceConfig { Name = t.Open, Target = new Target { Noop = new NoopTarget() } } }, cancellationToken: Ct).ResponseAsync),
    ];

    private static IEnumerable<BadInput> BackendCases() =>
    [
        Create("create: kafka cluster unknown", "config.kafka.cluster", c => c.Kafka = new KafkaBackend { Cluster = "nowhere" }),
        Create("create: kafka topic with a trailing newline", "config.kafka.topic", c => c.Kafka = new KafkaBackend { Topic = "x\n" }),
        Create("create: kafka partitions negative", "config.kafka.partitions", c => c.Kafka = new KafkaBackend { Partitions = -1 }),
        Create("create: sqs queue_name with a trailing newline", "config.sqs.queue_name", c => c.Sqs = new SqsBackend { QueueName = "x\n" }),
        Create("create: sqs poll_interval of 10^12 s", "config.sqs.poll_interval", c => c.Sqs = new SqsBackend { PollInterval = TenToTheTwelveSeconds }),
        Create("create: sqs poll_interval of 30 s", "config.sqs.poll_interval", c => c.Sqs = new SqsBackend { PollInterval = new Duration { Seconds = 30 } }),
        Create("create: sqs visibility_timeout with opposite signs", "config.sqs.visibility_timeout", c => c.Sqs = new SqsBackend { VisibilityTimeout = MixedSigns }),
        Create("create: sqs visibility_timeout of 13 h", "config.sqs.visibility_timeout", c => c.Sqs = new SqsBackend { VisibilityTimeout = Duration.FromTimeSpan(TimeSpan.FromHours(13)) }),
        Create("create: sqs max_messages_per_poll 11", "config.sqs.max_messages_per_poll", c => c.Sqs = new SqsBackend { MaxMessagesPerPoll = 11 }),
    ];

    private static IEnumerable<BadInput> AdminCases() =>
    [
        Admin("get: empty name", StatusCode.InvalidArgument, "name", (_, a) => a.GetNamespaceAsync(new GetNamespaceRequest(), cancellationToken: Ct).ResponseAsync),
        Admin("get: name of 100 KB", StatusCode.InvalidArgument, "name", (_, a) => a.GetNamespaceAsync(new GetNamespaceRequest { Name = Huge }, cancellationToken: Ct).ResponseAsync),
        Admin("get: unknown name", StatusCode.NotFound, "namespace", (_, a) => a.GetNamespaceAsync(new GetNamespaceRequest { Name = "no-such-namespace" }, cancellationToken: Ct).ResponseAsync),
        Admin("list: negative page_size", StatusCode.InvalidArgument, "page_size", (_, a) => a.ListNamespacesAsync(new ListNamespacesRequest { PageSize = -1 }, cancellationToken: Ct).ResponseAsync),
        Admin("list: page_token not issued here", StatusCode.InvalidArgument, "page_token", (_, a) => a.ListNamespacesAsync(new ListNamespacesRequest { PageToken = "!!" + Huge }, cancellationToken: Ct).ResponseAsync),
        Admin("update: expected_version missing", StatusCode.InvalidArgument, "expected_version", (t, a) => a.UpdateNamespaceAsync(new UpdateNamespaceRequest { Config = new NamespaceConfig { Name = t.Open, Target = new Target { Noop = new NoopTarget() } } }, cancellationToken: Ct).ResponseAsync),
        Admin("update: expected_version negative", StatusCode.InvalidArgument, "expected_version", (t, a) => a.UpdateNamespaceAsync(new UpdateNamespaceRequest { Config = new NamespaceConfig { Name = t.Open, Target = new Target { Noop = new NoopTarget() } }, ExpectedVersion = -1 }, cancellationToken: Ct).ResponseAsync),
        Admin("update: expected_version stale", StatusCode.Aborted, "expected_version", (t, a) => a.UpdateNamespaceAsync(new UpdateNamespaceRequest { Config = OpenConfig(t), ExpectedVersion = 99 }, cancellationToken: Ct).ResponseAsync),
        Admin("update: retry max_backoff of 10^12 s", StatusCode.InvalidArgument, "config.retry.max_backoff", (t, a) => a.UpdateNamespaceAsync(new UpdateNamespaceRequest { Config = OpenConfig(t, c => c.Retry = new RetryPolicy { MaxBackoff = TenToTheTwelveSeconds }), ExpectedVersion = 1 }, cancellationToken: Ct).ResponseAsync),
        Admin("update: name of 100 KB", StatusCode.InvalidArgument, "config.name", (_, a) => a.UpdateNamespaceAsync(new UpdateNamespaceRequest { Config = new NamespaceConfig { Name = Huge, Target = new Target { Noop = new NoopTarget() } }, ExpectedVersion = 1 }, cancellationToken: Ct).ResponseAsync),
        Admin("update: unknown name", StatusCode.NotFound, "namespace", (_, a) => a.UpdateNamespaceAsync(new UpdateNamespaceRequest { Config = new NamespaceConfig { Name = "no-such-namespace", Target = new Target { Noop = new NoopTarget() } }, ExpectedVersion = 1 }, cancellationToken: Ct).ResponseAsync),
        Admin("delete: empty name", StatusCode.InvalidArgument, "name", (_, a) => a.DeleteNamespaceAsync(new DeleteNamespaceRequest(), cancellationToken: Ct).ResponseAsync),
        Admin("delete: name of 100 KB", StatusCode.InvalidArgument, "name", (_, a) => a.DeleteNamespaceAsync(new DeleteNamespaceRequest { Name = Huge, Force = true }, cancellationToken: Ct).ResponseAsync),
        Admin("delete: unknown name", StatusCode.NotFound, "namespace", (_, a) => a.DeleteNamespaceAsync(new DeleteNamespaceRequest { Name = "no-such-namespace" }, cancellationToken: Ct).ResponseAsync),
        Admin("pause: empty name", StatusCode.InvalidArgument, "name", (_, a) => a.PauseNamespaceAsync(new PauseNamespaceRequest(), cancellationToken: Ct).ResponseAsync),
        Admin("pause: name of 100 KB", StatusCode.InvalidArgument, "name", (_, a) => a.PauseNamespaceAsync(new PauseNamespaceRequest { Name = Huge }, cancellationToken: Ct).ResponseAsync),
        Admin("pause: unknown name", StatusCode.NotFound, "namespace", (_, a) => a.PauseNamespaceAsync(new PauseNamespaceRequest { Name = "no-such-namespace" }, cancellationToken: Ct).ResponseAsync),
        Admin("resume: empty name", StatusCode.InvalidArgument, "name", (_, a) => a.ResumeNamespaceAsync(new ResumeNamespaceRequest(), cancellationToken: Ct).ResponseAsync),
        Admin("resume: name of 100 KB", StatusCode.InvalidArgument, "name", (_, a) => a.ResumeNamespaceAsync(new ResumeNamespaceRequest { Name = Huge }, cancellationToken: Ct).ResponseAsync),
        Admin("dead letters: empty namespace", StatusCode.InvalidArgument, "namespace", (_, a) => a.ListDeadLettersAsync(new ListDeadLettersRequest(), cancellationToken: Ct).ResponseAsync),
        Admin("dead letters: namespace of 100 KB", StatusCode.InvalidArgument, "namespace", (_, a) => a.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = Huge }, cancellationToken: Ct).ResponseAsync),
        Admin("dead letters: unknown namespace", StatusCode.NotFound, "namespace", (_, a) => a.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = "no-such-namespace" }, cancellationToken: Ct).ResponseAsync),
        Admin("dead letters: negative page_size", StatusCode.InvalidArgument, "page_size", (t, a) => a.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = t.Open, PageSize = -1 }, cancellationToken: Ct).ResponseAsync),
        Admin("dead letters: page_token not issued here", StatusCode.InvalidArgument, "page_token", (t, a) => a.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = t.Open, PageToken = "%%%" }, cancellationToken: Ct).ResponseAsync),
        Admin("redrive: negative max_per_second", StatusCode.InvalidArgument, "max_per_second", (t, a) => a.RedriveDeadLettersAsync(new RedriveDeadLettersRequest { Namespace = t.Open, MaxPerSecond = -1 }, cancellationToken: Ct).ResponseAsync),
        Admin("redrive: empty message id", StatusCode.InvalidArgument, "message_ids[0]", (t, a) => a.RedriveDeadLettersAsync(Redrive(t, string.Empty), cancellationToken: Ct).ResponseAsync),
        Admin("redrive: message id of 100 KB", StatusCode.InvalidArgument, "message_ids[1]", (t, a) => a.RedriveDeadLettersAsync(Redrive(t, "01", Huge), cancellationToken: Ct).ResponseAsync),
        Admin("redrive: more than 10,000 message ids", StatusCode.InvalidArgument, "message_ids", (t, a) => a.RedriveDeadLettersAsync(Redrive(t, [.. Enumerable.Repeat("01", 10_001)]), cancellationToken: Ct).ResponseAsync),
        Admin("redrive: namespace of 100 KB", StatusCode.InvalidArgument, "namespace", (_, a) => a.RedriveDeadLettersAsync(new RedriveDeadLettersRequest { Namespace = Huge }, cancellationToken: Ct).ResponseAsync),
        Admin("redrive: unknown namespace", StatusCode.NotFound, "namespace", (_, a) => a.RedriveDeadLettersAsync(new RedriveDeadLettersRequest { Namespace = "no-such-namespace" }, cancellationToken: Ct).ResponseAsync),
        Admin("purge: empty namespace", StatusCode.InvalidArgument, "namespace", (_, a) => a.PurgeDeadLettersAsync(new PurgeDeadLettersRequest(), cancellationToken: Ct).ResponseAsync),
        Admin("purge: unknown namespace", StatusCode.NotFound, "namespace", (_, a) => a.PurgeDeadLettersAsync(new PurgeDeadLettersRequest { Namespace = "no-such-namespace" }, cancellationToken: Ct).ResponseAsync),
        Admin("purge: empty message id", StatusCode.InvalidArgument, "message_ids[0]", (t, a) => a.PurgeDeadLettersAsync(Purge(t, string.Empty), cancellationToken: Ct).ResponseAsync),
        Admin("purge: message id of 100 KB", StatusCode.InvalidArgument, "message_ids[0]", (t, a) => a.PurgeDeadLettersAsync(Purge(t, Huge), cancellationToken: Ct).ResponseAsync),
    ];

    /// <summary>The config <see cref="Open"/> was created with, changed by <paramref name="change"/>.</summary>
    private static NamespaceConfig OpenConfig(BadInputTests t, Action<NamespaceConfig>? change = null)
    {
        var config = new NamespaceConfig
        {
            Name = t.Open,
            Target = new Target { Noop = new NoopTarget() },
            AllowTargetOverride = true,
            MaxPayloadBytes = 16,
            MaxDelay = Duration.FromTimeSpan(TimeSpan.FromHours(1)),
        };
        change?.Invoke(config);
        return config;
    }

    private static RedriveDeadLettersRequest Redrive(BadInputTests t, params string[] ids)
    {
        var request = new RedriveDeadLettersRequest { Namespace = t.Open };
        request.MessageIds.Add(ids);
        return request;
    }

    private static PurgeDeadLettersRequest Purge(BadInputTests t, params string[] ids)
    {
        var request = new PurgeDeadLettersRequest { Namespace = t.Open };
        request.MessageIds.Add(ids);
        return request;
    }
}
