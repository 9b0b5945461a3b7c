using System.Globalization;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using WalService.Api.V1;
using WalService.Client;
using Xunit;

namespace WalService.TestSupport;

/// <summary>
/// The acceptance flow every log backend passes, run once per lane: delivery with payload and headers, a delay, retries,
/// dead letters with redrive and purge, idempotent repeats, batches, pause and transactions. A lane derives a class that names its
/// server and its namespaces, and where it can look into the backend itself (a retry topic, a dead-letter queue) checks
/// what lies there; it may add tests of its own.
/// </summary>
public abstract partial class BackendAcceptanceContract(TimeSpan deadline) : WalServerTest(deadline)
{
    /// <summary>How long a wait may take on this lane's server.</summary>
    protected TimeSpan Deadline { get; } = deadline;

    /// <summary>How late after its delay a delayed message may still arrive on this backend: half a second unless the lane says otherwise.</summary>
    protected virtual TimeSpan DelaySlack => TimeSpan.FromSeconds(0.5);

    /// <summary>
    /// A namespace with a name of its own on the lane's backend, delivering to <paramref name="url"/> with fast retries
    /// (<see cref="TestNamespaces.Http"/>) and allowing a write's own target (the warm-up write of
    /// <see cref="WalServerTest.CreateConsumingAsync"/> uses one).
    /// </summary>
    protected abstract NamespaceConfig Namespace(string url, int maxAttempts = 3);

    /// <summary>Whether the lane's namespaces keep write order for an ordering key; one that cannot must refuse the key.</summary>
    protected virtual bool KeepsWriteOrder => true;

    /// <summary>Checks what the backend holds of a message that was retried once; nothing where the lane cannot look.</summary>
    protected virtual Task AssertRetryIsInTheBackendAsync(NamespaceConfig ns, string id) => Task.CompletedTask;

    /// <summary>Checks what the backend holds of a dead-lettered message and its error; nothing where the lane cannot look.</summary>
    protected virtual Task AssertDeadLetterIsInTheBackendAsync(NamespaceConfig ns, string id, string payload, string error) => Task.CompletedTask;

    /// <summary>The namespace's dead letters once a redriven message was applied; a lane whose listing catches up later waits for it to empty.</summary>
    protected virtual Task<ListDeadLettersResponse> DeadLettersAfterRedriveAsync(string ns) => DeadLettersAsync(ns);

    protected async Task<ListDeadLettersResponse> DeadLettersAsync(string ns) =>
        await Wal.Admin.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = ns }, cancellationToken: Ct);

    [Fact]
    public async Task WrittenMessageReachesTheTargetWithPayloadHeadersAndAppliedStatus()
    {
        var ns = await CreateAsync(Namespace(Target.Url("/ok")));
        var headers = new Dictionary<string, string> { ["tenant"] = "eu-1" };

        var id = await WriteDurableAsync(ns.Name, "hello", new WalWriteOptions { Headers = headers });
        var received = await Target.WaitForAppliedAsync(id, Deadline);
        var status = await WaitForStateAsync(ns.Name, id, MessageState.Applied);

        Assert.Equal("hello", Encoding.UTF8.GetString(received.Body));
        Assert.Equal(ns.Name, received.Headers["wal-namespace"]);
        Assert.Equal(id, received.Headers["wal-message-id"]);
        Assert.Equal("1", received.Headers["wal-attempt"]);
        Assert.Equal("eu-1", received.Headers["tenant"]);
        var writeTime = DateTimeOffset.Parse(received.Headers["wal-original-write-time"], CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow - writeTime, TimeSpan.Zero, Deadline);
        Assert.Equal(1, status.Attempts);
        Assert.Single(Target.For(id));
    }

    [Fact]
    public async Task DelayedMessageArrivesNotBeforeItsDelayAndSoonAfter()
    {
        var ns = await CreateConsumingAsync(Namespace(Target.Url("/ok")));
        var writtenAt = DateTimeOffset.UtcNow;

        var id = await WriteDurableAsync(ns.Name, "later", new WalWriteOptions { Delay = TimeSpan.FromSeconds(2) });
        var delayed = await Wal.GetStatusAsync(ns.Name, id, Ct);
        var received = await Target.WaitForAppliedAsync(id, Deadline);

        Assert.Equal(MessageState.Delayed, delayed.State);
        Assert.InRange(received.ReceivedAt - writtenAt, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2) + DelaySlack);
    }

    [Fact]
    public async Task TargetFailingTwiceWith503IsAppliedOnAttemptThree()
    {
        var ns = await CreateAsync(Namespace(Target.Url("/fail/2"), maxAttempts: 5));

        var id = await WriteDurableAsync(ns.Name, "flaky");
        var applied = await Target.WaitForAppliedAsync(id, Deadline);
        var status = await WaitForStateAsync(ns.Name, id, MessageState.Applied);

        Assert.Equal(3, applied.Attempt);
        Assert.Equal([503, 503, 200], Target.For(id).Select(r => r.AnsweredStatus));
        Assert.Equal(3, status.Attempts);
        Assert.NotNull(status.AppliedAt);
        await AssertRetryIsInTheBackendAsync(ns, id);
    }

    [Fact]
    public async Task AFailedDeliveryIsTriedAgainWhenItsBackoffEndsNotAtTheNextPoll()
    {
        var backoff = TimeSpan.FromMilliseconds(400);
        var config = Namespace(Target.Url("/fail/1"));
        config.Retry.InitialBackoff = Duration.FromTimeSpan(backoff);
        config.Retry.MaxBackoff = Duration.FromTimeSpan(backoff);
        config.Retry.Jitter = 0.01;
        var ns = await CreateConsumingAsync(config);

        var id = await WriteDurableAsync(ns.Name, "flaky");
        var second = await Target.WaitForAppliedAsync(id, Deadline);
        var first = Target.For(id)[0];

        // The bench holds the tight figure (50 ms); this bound leaves room for a loaded machine, not for a poll of a second.
        Assert.Equal(2, second.Attempt);
        Assert.InRange(second.ReceivedAt - first.ReceivedAt, backoff * 0.98, backoff + TimeSpan.FromMilliseconds(450));
    }

    [Fact]
    public async Task A400IsDeadLetteredAfterOneAttemptWithItsError()
    {
        var ns = await CreateAsync(Namespace(Target.Url("/status/400"), maxAttempts: 5));

        var id = await WriteDurableAsync(ns.Name, "bad");
        var status = await WaitForStateAsync(ns.Name, id, MessageState.DeadLettered);
        var letters = await DeadLettersAsync(ns.Name);

        Assert.Equal(1, status.Attempts);
        Assert.Contains("HTTP 400", status.LastError, StringComparison.Ordinal);
        Assert.Single(Target.For(id));
        var letter = Assert.Single(letters.DeadLetters);
        Assert.Equal(id, letter.MessageId);
        Assert.Equal("bad", letter.Payload.ToStringUtf8());
        Assert.Contains("HTTP 400", letter.LastError, StringComparison.Ordinal);
        await AssertDeadLetterIsInTheBackendAsync(ns, id, "bad", "HTTP 400");
    }

    [Fact]
    public async Task ExhaustedMessageIsDeadLetteredAfterMaxAttemptsAndARedriveDeliversItOnceTheTargetIsFixed()
    {
        Target.SwitchStatus = 503;
        var ns = await CreateAsync(Namespace(Target.Url("/switch"), maxAttempts: 3));

        var id = await WriteDurableAsync(ns.Name, "doomed");
        var dead = await WaitForStateAsync(ns.Name, id, MessageState.DeadLettered);
        var attempts = Target.For(id).Count;
        var letters = await DeadLettersAsync(ns.Name);
        Target.SwitchStatus = 200;
        var redrive = await Wal.Admin.RedriveDeadLettersAsync(new RedriveDeadLettersRequest { Namespace = ns.Name }, cancellationToken: Ct);
        var applied = await Target.WaitForAppliedAsync(id, Deadline);
        var after = await DeadLettersAfterRedriveAsync(ns.Name);
        var status = await WaitForStateAsync(ns.Name, id, MessageState.Applied);

        Assert.Equal(3, dead.Attempts);
        Assert.Equal(3, attempts);
        Assert.Contains("gave up after 3 attempts (max_attempts 3)", dead.LastError, StringComparison.Ordinal);
        var letter = Assert.Single(letters.DeadLetters);
        Assert.Equal(id, letter.MessageId);
        Assert.Equal("doomed", letter.Payload.ToStringUtf8());
        Assert.Equal(1, redrive.Redriven);
        Assert.Equal(1, applied.Attempt);
        Assert.Empty(after.DeadLetters);
        Assert.Equal(MessageState.Applied, status.State);
    }

    [Fact]
    public async Task PurgeForgetsOnlyTheChosenDeadLetters()
    {
        var ns = await CreateAsync(Namespace(Target.Url("/status/400")));
        var first = await WriteDurableAsync(ns.Name, "one");
        var second = await WriteDurableAsync(ns.Name, "two");
        await WaitForStateAsync(ns.Name, first, MessageState.DeadLettered);
        await WaitForStateAsync(ns.Name, second, MessageState.DeadLettered);

        var purged = await Wal.Admin.PurgeDeadLettersAsync(new PurgeDeadLettersRequest { Namespace = ns.Name, MessageIds = { first } }, cancellationToken: Ct);
        var letters = await DeadLettersAsync(ns.Name);

        Assert.Equal(1, purged.Purged);
        Assert.Equal([second], letters.DeadLetters.Select(d => d.MessageId));
    }

    [Fact]
    public async Task IdempotentRepeatReturnsTheFirstIdAndDeliversOnce()
    {
        var ns = await CreateConsumingAsync(Namespace(Target.Url("/ok")));
        var options = new WalWriteOptions { IdempotencyKey = "order-42" };

        var first = await WriteDurableAsync(ns.Name, "once", options);
        var second = await WriteDurableAsync(ns.Name, "once", options);
        await Target.WaitForAppliedAsync(first, Deadline);
        var third = await WriteDurableAsync(ns.Name, "once", options);
        var marker = await WriteDurableAsync(ns.Name, "after");
        await Target.WaitForAppliedAsync(marker, Deadline);

        Assert.Equal(first, second);
        Assert.Equal(first, third);
        Assert.Single(Target.Received, r => Encoding.UTF8.GetString(r.Body) == "once");
    }

    [Fact]
    public async Task EveryEntryOfABatchIsDurableAndAppliedOnce()
    {
        var ns = await CreateAsync(Namespace(Target.Url("/ok")));
        var request = new WriteToLogBatchRequest();
        for (var i = 0; i < 50; i++)
        {
            request.Entries.Add(new WriteToLogRequest { Namespace = ns.Name, Payload = Google.Protobuf.ByteString.CopyFromUtf8($"m{i}") });
        }

        var response = await Wal.Log.WriteToLogBatchAsync(request, cancellationToken: Ct);
        foreach (var result in response.Results)
        {
            await WaitForStateAsync(ns.Name, result.MessageId, MessageState.Applied);
        }

        Assert.All(response.Results, r => Assert.Equal(Trilean.True, r.Durable));
        Assert.Equal(50, response.Results.Select(r => r.MessageId).Distinct().Count());
        Assert.All(response.Results, r => Assert.Single(Target.For(r.MessageId)));
    }

    [Fact]
    public async Task PausedNamespaceTakesWritesButDeliversOnlyAfterResume()
    {
        var ns = await CreateConsumingAsync(Namespace(Target.Url("/ok")));
        var marker = await CreateConsumingAsync(Namespace(Target.Url("/ok")));

        await Wal.Admin.PauseNamespaceAsync(new PauseNamespaceRequest { Name = ns.Name }, cancellationToken: Ct);
        var id = await WriteDurableAsync(ns.Name, "held");
        await Target.WaitForAppliedAsync(await WriteDurableAsync(marker.Name, "marker"), Deadline);
        Assert.Empty(Target.For(id));
        Assert.Equal(MessageState.Pending, (await Wal.GetStatusAsync(ns.Name, id, Ct)).State);

        await Wal.Admin.ResumeNamespaceAsync(new ResumeNamespaceRequest { Name = ns.Name }, cancellationToken: Ct);
        await Target.WaitForAppliedAsync(id, Deadline);
        await WaitForStateAsync(ns.Name, id, MessageState.Applied);
    }

    [Fact]
    public async Task AHundredMessagesWithOneOrderingKeyArriveInWriteOrderWithoutWaitingForTheIdlePoll()
    {
        var ns = await CreateConsumingAsync(Namespace(Target.Url("/ok")));
        var options = new WalWriteOptions { OrderingKey = "customer-1" };
        if (!KeepsWriteOrder)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => Wal.WriteAsync(ns.Name, Encoding.UTF8.GetBytes("m0"), options, Ct));
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
            Assert.Contains("ordering_key", refused.Status.Detail, StringComparison.Ordinal);
            Assert.Contains("sqs.fifo", refused.Status.Detail, StringComparison.Ordinal);
            return;
        }

        var ids = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            ids.Add(await WriteDurableAsync(ns.Name, $"m{i}", options));
        }

        // Waiting for the idle poll before each message (a second each) would take 100 s: the deadline is far shorter.
        await Target.WaitForAppliedAsync(ids[^1], Deadline);

        var appliedOrder = Target.Received.Where(r => r.AnsweredStatus == 200 && ids.Contains(r.MessageId)).Select(r => r.MessageId).ToList();
        Assert.Equal(ids, appliedOrder);
    }
}
