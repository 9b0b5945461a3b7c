using System.Text;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

public sealed class DeliveryTests(WalServerFactory factory) : ServerTest(factory)
{
    [Fact]
    public async Task WrittenMessageReachesTheHttpTargetWithPayloadAndHeaders()
    {
        var ns = await CreateAsync(Namespaces.Http(Target.Url("/ok")));
        var headers = new Dictionary<string, string> { ["tenant"] = "eu-1" };

        var id = await WriteDurableAsync(ns.Name, "hello", new WalWriteOptions { Headers = headers });
        var received = await Target.WaitForAppliedAsync(id, Deadline);

        Assert.Equal("hello", Encoding.UTF8.GetString(received.Body));
        Assert.Equal(ns.Name, received.Headers["wal-namespace"]);
        Assert.Equal(id, received.Headers["wal-message-id"]);
        Assert.Equal("1", received.Headers["wal-attempt"]);
        Assert.Equal("eu-1", received.Headers["tenant"]);
        var writeTime = DateTimeOffset.Parse(received.Headers["wal-original-write-time"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow - writeTime, TimeSpan.Zero, Deadline);
        Assert.Single(Target.For(id));
    }

    [Fact]
    public async Task DelayedMessageArrivesNotBeforeItsDelayAndWithinHalfASecondAfter()
    {
        var ns = await CreateAsync(Namespaces.Http(Target.Url("/ok")));
        var writtenAt = DateTimeOffset.UtcNow;

        var id = await WriteDurableAsync(ns.Name, "later", new WalWriteOptions { Delay = TimeSpan.FromSeconds(2) });
        var delayed = await Wal.GetStatusAsync(ns.Name, id, Ct);
        var received = await Target.WaitForAppliedAsync(id, Deadline);

        Assert.Equal(MessageState.Delayed, delayed.State);
        Assert.InRange(received.ReceivedAt - writtenAt, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.5));
    }

    [Fact]
    public async Task TargetFailingTwiceWith503IsAppliedOnAttemptThree()
    {
        var ns = await CreateAsync(Namespaces.Http(Target.Url("/fail/2"), maxAttempts: 5));

        var id = await WriteDurableAsync(ns.Name, "flaky");
        var applied = await Target.WaitForAppliedAsync(id, Deadline);
        var status = await WaitForStateAsync(ns.Name, id, MessageState.Applied);

        Assert.Equal(3, applied.Attempt);
        Assert.Equal([503, 503, 200], Target.For(id).Select(r => r.AnsweredStatus));
        Assert.Equal(3, status.Attempts);
        Assert.NotNull(status.AppliedAt);
    }

    [Fact]
    public async Task A400IsDeadLetteredAfterOneAttempt()
    {
        var ns = await CreateAsync(Namespaces.Http(Target.Url("/status/400"), maxAttempts: 5));

        var id = await WriteDurableAsync(ns.Name, "bad");
        var status = await WaitForStateAsync(ns.Name, id, MessageState.DeadLettered);
        var letters = await Wal.Admin.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = ns.Name }, cancellationToken: Ct);

        Assert.Equal(1, status.Attempts);
        Assert.Single(Target.For(id));
        var letter = Assert.Single(letters.DeadLetters);
        Assert.Equal(id, letter.MessageId);
        Assert.Equal("bad", letter.Payload.ToStringUtf8());
        Assert.Contains("HTTP 400", letter.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATargetThatAlwaysFailsIsDeadLetteredAfterMaxAttempts()
    {
        var ns = await CreateAsync(Namespaces.Http(Target.Url("/status/503"), maxAttempts: 3));

        var id = await WriteDurableAsync(ns.Name, "doomed");
        var status = await WaitForStateAsync(ns.Name, id, MessageState.DeadLettered);

        Assert.Equal(3, status.Attempts);
        Assert.Equal(3, Target.For(id).Count);
        Assert.Contains("max_attempts 3", status.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedriveDeliversDeadLettersOnceTheTargetIsFixed()
    {
        Target.SwitchStatus = 500;
        var ns = await CreateAsync(Namespaces.Http(Target.Url("/switch"), maxAttempts: 2));
        var id = await WriteDurableAsync(ns.Name, "retry me");
        await WaitForStateAsync(ns.Name, id, MessageState.DeadLettered);

        Target.SwitchStatus = 200;
        var redriven = await Wal.Admin.RedriveDeadLettersAsync(new RedriveDeadLettersRequest { Namespace = ns.Name }, cancellationToken: Ct);
        await Target.WaitForAppliedAsync(id, Deadline);
        var letters = await Wal.Admin.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = ns.Name }, cancellationToken: Ct);

        Assert.Equal(1, redriven.Redriven);
        Assert.Empty(letters.DeadLetters);
        Assert.Equal(MessageState.Applied, (await WaitForStateAsync(ns.Name, id, MessageState.Applied)).State);
    }

    [Fact]
    public async Task PurgeRemovesChosenDeadLetters()
    {
        var ns = await CreateAsync(Namespaces.Http(Target.Url("/status/404")));
        var first = await WriteDurableAsync(ns.Name, "a");
        var second = await WriteDurableAsync(ns.Name, "b");
        await WaitForStateAsync(ns.Name, first, MessageState.DeadLettered);
        await WaitForStateAsync(ns.Name, second, MessageState.DeadLettered);

        var purged = await Wal.Admin.PurgeDeadLettersAsync(new PurgeDeadLettersRequest { Namespace = ns.Name, MessageIds = { first } }, cancellationToken: Ct);
        var letters = await Wal.Admin.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = ns.Name }, cancellationToken: Ct);

        Assert.Equal(1, purged.Purged);
        Assert.Equal(second, Assert.Single(letters.DeadLetters).MessageId);
    }

    [Fact]
    public async Task MessagesWithOneOrderingKeyArriveInWriteOrderEvenWhenTheFirstRetries()
    {
        var ns = await CreateAsync(Namespaces.Http(Target.Url("/fail/1"), maxAttempts: 5));
        var options = new WalWriteOptions { OrderingKey = "customer-1" };

        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await WriteDurableAsync(ns.Name, $"m{i}", options));
        }

        foreach (var id in ids)
        {
            await Target.WaitForAppliedAsync(id, Deadline);
        }

        var appliedOrder = Target.Received.Where(r => r.AnsweredStatus == 200 && ids.Contains(r.MessageId)).Select(r => r.MessageId).ToList();
        Assert.Equal(ids, appliedOrder);
        var firstApplied = Target.Received.ToList().FindIndex(r => r.MessageId == ids[0] && r.AnsweredStatus == 200);
        var secondSeen = Target.Received.ToList().FindIndex(r => r.MessageId == ids[1]);
        Assert.True(secondSeen > firstApplied, "the second message was sent before the first was applied");
    }

    [Fact]
    public async Task IdempotentRepeatReturnsTheFirstIdAndDeliversOnce()
    {
        var ns = await CreateAsync(Namespaces.Http(Target.Url("/ok")));
        var options = new WalWriteOptions { IdempotencyKey = "order-42" };

        var first = await WriteDurableAsync(ns.Name, "once", options);
        var second = await WriteDurableAsync(ns.Name, "once", options);
        await Target.WaitForAppliedAsync(first, Deadline);
        var third = await WriteDurableAsync(ns.Name, "once", options);

        Assert.Equal(first, second);
        Assert.Equal(first, third);
        var marker = await WriteDurableAsync(ns.Name, "after");
        await Target.WaitForAppliedAsync(marker, Deadline);
        Assert.Single(Target.Received, r => Encoding.UTF8.GetString(r.Body) == "once");
    }

    [Fact]
    public async Task TargetOverrideSendsToTheWritesOwnTarget()
    {
        var config = Namespaces.Http(Target.Url("/status/400"));
        config.AllowTargetOverride = true;
        await CreateAsync(config);
        var elsewhere = new Target { Http = new HttpTarget { Url = Target.Url("/ok") } };

        var id = await WriteDurableAsync(config.Name, "redirected", new WalWriteOptions { Target = elsewhere });
        var received = await Target.WaitForAppliedAsync(id, Deadline);

        Assert.Equal("/ok", received.Path);
    }
}
