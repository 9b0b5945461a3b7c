using System.Text;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.KafkaTests;

/// <summary>The foundation's acceptance flow with the namespace's log on Kafka.</summary>
public sealed class KafkaDeliveryTests(KafkaServer server) : KafkaServerTest(server)
{
    [Fact]
    public async Task WrittenMessageReachesTheTargetWithPayloadHeadersAndAppliedStatus()
    {
        var ns = await CreateAsync(KafkaNamespace(Target.Url("/ok")));

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

    [Fact]
    public async Task TheRecordInTheTopicCarriesTheEnvelopeInHeaders()
    {
        var ns = await CreateAsync(KafkaNamespace(Target.Url("/ok")));

        // Whole milliseconds, as a record's timestamp: otherwise a write in the same millisecond would look earlier.
        var writtenAt = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var id = await WriteDurableAsync(ns.Name, "inspect", new WalWriteOptions { OrderingKey = "order-7", Delay = TimeSpan.FromSeconds(1), Headers = new Dictionary<string, string> { ["tenant"] = "eu-1" } });
        var record = ReadOne($"wal.{ns.Name}", id);
        var deliverAt = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(Header(record, "wal-deliver-at"), System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal("order-7", Encoding.UTF8.GetString(record.Message.Key));
        Assert.Equal("inspect", Encoding.UTF8.GetString(record.Message.Value));
        Assert.Equal("order-7", Header(record, "wal-ordering-key"));
        Assert.Equal("eu-1", Header(record, "wal-header-tenant"));
        Assert.InRange(record.Message.Timestamp.UtcDateTime - writtenAt.UtcDateTime, TimeSpan.Zero, Deadline);
        // The write time is kept to the millisecond below, the due time to the one above (never before the delay).
        Assert.InRange(deliverAt - DateTimeOffset.FromUnixTimeMilliseconds(record.Message.Timestamp.UnixTimestampMs), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(1001));
    }

    [Fact]
    public async Task DelayedMessageArrivesNotBeforeItsDelayAndWithinHalfASecondAfter()
    {
        var ns = await CreateConsumingAsync(KafkaNamespace(Target.Url("/ok")));
        var writtenAt = DateTimeOffset.UtcNow;

        var id = await WriteDurableAsync(ns.Name, "later", new WalWriteOptions { Delay = TimeSpan.FromSeconds(2) });
        var delayed = await Wal.GetStatusAsync(ns.Name, id, Ct);
        var received = await Target.WaitForAppliedAsync(id, Deadline);

        Assert.Equal(MessageState.Delayed, delayed.State);
        Assert.InRange(received.ReceivedAt - writtenAt, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.5));
    }

    [Fact]
    public async Task TargetFailingTwiceWith503IsAppliedOnAttemptThreeThroughTheRetryTopic()
    {
        var ns = await CreateAsync(KafkaNamespace(Target.Url("/fail/2"), maxAttempts: 5));

        var id = await WriteDurableAsync(ns.Name, "flaky");
        var applied = await Target.WaitForAppliedAsync(id, Deadline);
        var status = await WaitForStateAsync(ns.Name, id, MessageState.Applied);
        var retried = ReadOne($"wal.{ns.Name}.retry", id);

        Assert.Equal(3, applied.Attempt);
        Assert.Equal([503, 503, 200], Target.For(id).Select(r => r.AnsweredStatus));
        Assert.Equal(3, status.Attempts);
        Assert.Equal("2", Header(retried, "wal-attempt"));
    }

    [Fact]
    public async Task A400IsDeadLetteredAfterOneAttemptIntoTheDeadLetterTopicWithItsError()
    {
        var ns = await CreateAsync(KafkaNamespace(Target.Url("/status/400"), maxAttempts: 5));

        var id = await WriteDurableAsync(ns.Name, "bad");
        var status = await WaitForStateAsync(ns.Name, id, MessageState.DeadLettered);
        var letters = await Wal.Admin.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = ns.Name }, cancellationToken: Ct);
        var record = ReadOne($"wal.{ns.Name}.dlq", id);

        Assert.Equal(1, status.Attempts);
        Assert.Single(Target.For(id));
        var letter = Assert.Single(letters.DeadLetters);
        Assert.Equal(id, letter.MessageId);
        Assert.Equal("bad", letter.Payload.ToStringUtf8());
        Assert.Contains("HTTP 400", letter.LastError, StringComparison.Ordinal);
        Assert.Contains("HTTP 400", Header(record, "wal-error"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExhaustedMessageIsDeadLetteredAndARedriveDeliversItOnceTheTargetIsFixed()
    {
        var ns = await CreateAsync(KafkaNamespace(Target.Url("/switch"), maxAttempts: 2));
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
    public async Task PurgeForgetsDeadLetters()
    {
        var ns = await CreateAsync(KafkaNamespace(Target.Url("/status/400")));
        var first = await WriteDurableAsync(ns.Name, "one");
        var second = await WriteDurableAsync(ns.Name, "two");
        await WaitForStateAsync(ns.Name, first, MessageState.DeadLettered);
        await WaitForStateAsync(ns.Name, second, MessageState.DeadLettered);

        var purged = await Wal.Admin.PurgeDeadLettersAsync(new PurgeDeadLettersRequest { Namespace = ns.Name, MessageIds = { first } }, cancellationToken: Ct);
        var letters = await Wal.Admin.ListDeadLettersAsync(new ListDeadLettersRequest { Namespace = ns.Name }, cancellationToken: Ct);

        Assert.Equal(1, purged.Purged);
        Assert.Equal([second], letters.DeadLetters.Select(d => d.MessageId));
    }
}
