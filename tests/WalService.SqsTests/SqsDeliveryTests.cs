using Google.Protobuf.WellKnownTypes;
using System.Text;
using WalService.Api.V1;
using WalService.Client;

namespace WalService.SqsTests;

/// <summary>The foundation's acceptance flow with the namespace's log on SQS, on a standard queue and, where it differs, a FIFO queue.</summary>
public sealed class SqsDeliveryTests(SqsServer server) : SqsServerTest(server), IClassFixture<SqsServer>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WrittenMessageReachesTheTargetWithPayloadHeadersAndAppliedStatus(bool fifo)
    {
        var ns = await CreateAsync(SqsNamespace(Target.Url("/ok"), fifo: fifo));

        var id = await WriteDurableAsync(ns.Name, "hello", new WalWriteOptions { Headers = new Dictionary<string, string> { ["tenant"] = "eu-1" } });
        var received = await Target.WaitForAppliedAsync(id, Deadline);
        var status = await WaitForStateAsync(ns.Name, id, MessageState.Applied);

        Assert.Equal("hello", Encoding.UTF8.GetString(received.Body));
        Assert.Equal(ns.Name, received.Headers["wal-namespace"]);
        Assert.Equal("1", received.Headers["wal-attempt"]);
        Assert.Equal("eu-1", received.Headers["tenant"]);
        Assert.Equal(1, status.Attempts);
        Assert.Single(Target.For(id));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DelayedMessageArrivesNotBeforeItsDelayAndWithinASecondAfter(bool fifo)
    {
        var ns = await CreateConsumingAsync(SqsNamespace(Target.Url("/ok"), fifo: fifo));
        var writtenAt = DateTimeOffset.UtcNow;

        var id = await WriteDurableAsync(ns.Name, "later", new WalWriteOptions { Delay = TimeSpan.FromSeconds(2) });
        var delayed = await Wal.GetStatusAsync(ns.Name, id, Ct);
        var received = await Target.WaitForAppliedAsync(id, Deadline);

        Assert.Equal(MessageState.Delayed, delayed.State);
        Assert.InRange(received.ReceivedAt - writtenAt, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task AMessageDueAfterTheLongestSqsDelayWaitsHiddenAndIsNotDeliveredEarly()
    {
        var ns = await CreateConsumingAsync(SqsNamespace(Target.Url("/ok")));

        var id = await WriteDurableAsync(ns.Name, "much later", new WalWriteOptions { Delay = TimeSpan.FromMinutes(20) });
        var marker = await WriteDurableAsync(ns.Name, "now");
        await Target.WaitForAppliedAsync(marker, Deadline);
        var status = await Wal.GetStatusAsync(ns.Name, id, Ct);

        Assert.Equal(MessageState.Delayed, status.State);
        Assert.Empty(Target.For(id));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TargetFailingTwiceWith503IsAppliedOnAttemptThree(bool fifo)
    {
        var ns = await CreateAsync(SqsNamespace(Target.Url("/fail/2"), maxAttempts: 5, fifo: fifo));

        var id = await WriteDurableAsync(ns.Name, "flaky");
        var applied = await Target.WaitForAppliedAsync(id, Deadline);
        var status = await WaitForStateAsync(ns.Name, id, MessageState.Applied);

        Assert.Equal(3, applied.Attempt);
        Assert.Equal([503, 503, 200], Target.For(id).Select(r => r.AnsweredStatus));
        Assert.Equal(3, status.Attempts);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A400IsDeadLetteredAfterOneAttemptIntoTheDeadLetterQueueWithItsError(bool fifo)
    {
        var ns = await CreateAsync(SqsNamespace(Target.Url("/status/400"), maxAttempts: 5, fifo: fifo));

        var id = await WriteDurableAsync(ns.Name, "bad");
        var status = await WaitForStateAsync(ns.Name, id, MessageState.DeadLettered);
        var letters = await Wal.Admin.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = ns.Name }, cancellationToken: Ct);
        var message = await ReceiveOneAsync(DlqOf(ns), id);

        Assert.Equal(1, status.Attempts);
        Assert.Single(Target.For(id));
        var letter = Assert.Single(letters.DeadLetters);
        Assert.Equal(id, letter.MessageId);
        Assert.Equal("bad", letter.Payload.ToStringUtf8());
        Assert.Contains("HTTP 400", letter.LastError, StringComparison.Ordinal);
        Assert.Contains("HTTP 400", message.MessageAttributes["wal-error"].StringValue, StringComparison.Ordinal);
        Assert.Equal("bad", Encoding.UTF8.GetString(Convert.FromBase64String(message.Body)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ExhaustedMessageIsDeadLetteredAndARedriveDeliversItOnceTheTargetIsFixed(bool fifo)
    {
        var ns = await CreateAsync(SqsNamespace(Target.Url("/switch"), maxAttempts: 2, fifo: fifo));
        Target.SwitchStatus = 503;

        var id = await WriteDurableAsync(ns.Name, "doomed");
        var dead = await WaitForStateAsync(ns.Name, id, MessageState.DeadLettered);
        Target.SwitchStatus = 200;
        var redrive = await Wal.Admin.RedriveDeadLettersAsync(new RedriveDeadLettersRequest { Namespace = ns.Name }, cancellationToken: Ct);
        var applied = await Target.WaitForAppliedAsync(id, Deadline);
        var letters = await Wal.Admin.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = ns.Name }, cancellationToken: Ct);

        Assert.Equal(2, dead.Attempts);
        Assert.Contains("gave up after 2 attempts", dead.LastError, StringComparison.Ordinal);
        Assert.Equal(1, redrive.Redriven);
        Assert.Equal(1, applied.Attempt);
        Assert.Empty(letters.DeadLetters);
    }

    [Fact]
    public async Task ADeliverySlowerThanTheVisibilityTimeoutIsNotHandedOutAgainMeanwhile()
    {
        var config = SqsNamespace(Target.Url("/slow/5000"));
        config.Sqs.VisibilityTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(2));
        config.Target.Http.Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(10));
        var ns = await CreateAsync(config);

        var id = await WriteDurableAsync(ns.Name, "slow");
        await WaitForStateAsync(ns.Name, id, MessageState.Applied);

        Assert.Single(Target.For(id));
    }

    [Fact]
    public async Task AHundredMessagesOnFourReceiversAreEachAppliedExactlyOnce()
    {
        var config = SqsNamespace(Target.Url("/ok"));
        config.Consumer = new ConsumerSettings { Concurrency = 4 };
        var ns = await CreateAsync(config);

        var ids = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => WriteDurableAsync(ns.Name, $"m{i}")));
        foreach (var id in ids)
        {
            await Target.WaitForAppliedAsync(id, Deadline);
        }

        await WaitForStateAsync(ns.Name, ids[^1], MessageState.Applied);
        Assert.Equal(100, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Single(Target.For(id)));
    }

    [Fact]
    public async Task AnEmptyPayloadIsDurableAndArrivesEmpty()
    {
        var ns = await CreateAsync(SqsNamespace(Target.Url("/ok")));

        var id = await WriteDurableAsync(ns.Name, string.Empty);
        var received = await Target.WaitForAppliedAsync(id, Deadline);

        Assert.Empty(received.Body);
    }
}
