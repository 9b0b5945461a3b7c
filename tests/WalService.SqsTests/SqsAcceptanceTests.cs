using System.Text;
using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;
using WalService.Client;
using WalService.TestSupport;

namespace WalService.SqsTests;

/// <summary>
/// The acceptance flow with the namespace's log on SQS (the emulator), on a standard or a FIFO queue: a dead letter
/// lies in the dead-letter queue with its error, and a delay may end up to a second late (SQS delays in whole seconds).
/// </summary>
public abstract class SqsAcceptanceTests(SqsServer server, bool fifo) : BackendAcceptanceContract(SqsServerTest.Deadline), IClassFixture<SqsServer>
{
    protected override WalServerFactory Factory => server.Factory;

    protected override TimeSpan DelaySlack => TimeSpan.FromSeconds(1);

    protected override bool KeepsWriteOrder => fifo;

    protected override NamespaceConfig Namespace(string url, int maxAttempts = 3) => SqsServerTest.SqsNamespace(url, maxAttempts, fifo);

    protected override async Task AssertDeadLetterIsInTheBackendAsync(NamespaceConfig ns, string id, string payload, string error)
    {
        var message = await server.ReceiveOneAsync(SqsServerTest.DlqOf(ns), id, Deadline);

        Assert.Contains(error, message.MessageAttributes["wal-error"].StringValue, StringComparison.Ordinal);
        Assert.Equal(payload, Encoding.UTF8.GetString(Convert.FromBase64String(message.Body)));
    }
}

/// <summary>The acceptance flow on a standard queue, and what only a standard queue shows: long delays, visibility, concurrent receivers.</summary>
public sealed class SqsStandardQueueAcceptanceTests(SqsServer server) : SqsAcceptanceTests(server, fifo: false)
{
    [Fact]
    public async Task AMessageDueAfterTheLongestSqsDelayWaitsHiddenAndIsNotDeliveredEarly()
    {
        var ns = await CreateConsumingAsync(Namespace(Target.Url("/ok")));

        var id = await WriteDurableAsync(ns.Name, "much later", new WalWriteOptions { Delay = TimeSpan.FromMinutes(20) });
        var marker = await WriteDurableAsync(ns.Name, "now");
        await Target.WaitForAppliedAsync(marker, Deadline);
        var status = await Wal.GetStatusAsync(ns.Name, id, Ct);

        Assert.Equal(MessageState.Delayed, status.State);
        Assert.Empty(Target.For(id));
    }

    [Fact]
    public async Task ADeliverySlowerThanTheVisibilityTimeoutIsNotHandedOutAgainMeanwhile()
    {
        var config = Namespace(Target.Url("/slow/5000"));
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
        var config = Namespace(Target.Url("/ok"));
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
        var ns = await CreateAsync(Namespace(Target.Url("/ok")));

        var id = await WriteDurableAsync(ns.Name, string.Empty);
        var received = await Target.WaitForAppliedAsync(id, Deadline);

        Assert.Empty(received.Body);
    }
}

/// <summary>The acceptance flow on a FIFO queue; what only FIFO queues show is in <see cref="SqsFifoTests"/>.</summary>
public sealed class SqsFifoQueueAcceptanceTests(SqsServer server) : SqsAcceptanceTests(server, fifo: true);
