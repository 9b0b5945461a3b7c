using System.Text;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.KafkaTests;

/// <summary>
/// The acceptance flow with the namespace's log on Kafka (the mock cluster): a retry passes through the retry topic, a
/// dead letter lies in the dead-letter topic with its error, and the record in the topic carries the envelope.
/// </summary>
public sealed class KafkaAcceptanceTests(KafkaServer server) : BackendAcceptanceContract(KafkaServerTest.Deadline), IClassFixture<KafkaServer>
{
    protected override WalServerFactory Factory => server.Factory;

    protected override NamespaceConfig Namespace(string url, int maxAttempts = 3) => KafkaServerTest.KafkaNamespace(url, maxAttempts);

    protected override Task AssertRetryIsInTheBackendAsync(NamespaceConfig ns, string id)
    {
        var retried = KafkaServerTest.ReadOne($"wal.{ns.Name}.retry", id);

        Assert.Equal("2", KafkaServerTest.Header(retried, "wal-attempt"));
        return Task.CompletedTask;
    }

    protected override Task AssertDeadLetterIsInTheBackendAsync(NamespaceConfig ns, string id, string payload, string error)
    {
        var record = KafkaServerTest.ReadOne($"wal.{ns.Name}.dlq", id);

        Assert.Contains(error, KafkaServerTest.Header(record, "wal-error"), StringComparison.Ordinal);
        Assert.Equal(payload, Encoding.UTF8.GetString(record.Message.Value));
        return Task.CompletedTask;
    }

    [Fact]
    public async Task TheRecordInTheTopicCarriesTheEnvelopeInHeaders()
    {
        var ns = await CreateAsync(Namespace(Target.Url("/ok")));

        // Whole milliseconds, as a record's timestamp: otherwise a write in the same millisecond would look earlier.
        var writtenAt = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var id = await WriteDurableAsync(ns.Name, "inspect", new WalWriteOptions { OrderingKey = "order-7", Delay = TimeSpan.FromSeconds(1), Headers = new Dictionary<string, string> { ["tenant"] = "eu-1" } });
        var record = KafkaServerTest.ReadOne($"wal.{ns.Name}", id);
        var deliverAt = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(KafkaServerTest.Header(record, "wal-deliver-at"), System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal("order-7", Encoding.UTF8.GetString(record.Message.Key));
        Assert.Equal("inspect", Encoding.UTF8.GetString(record.Message.Value));
        Assert.Equal("order-7", KafkaServerTest.Header(record, "wal-ordering-key"));
        Assert.Equal("eu-1", KafkaServerTest.Header(record, "wal-header-tenant"));
        Assert.InRange(record.Message.Timestamp.UtcDateTime - writtenAt.UtcDateTime, TimeSpan.Zero, Deadline);
        // The write time is kept to the millisecond below, the due time to the one above (never before the delay).
        Assert.InRange(deliverAt - DateTimeOffset.FromUnixTimeMilliseconds(record.Message.Timestamp.UnixTimestampMs), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(1001));
    }
}
