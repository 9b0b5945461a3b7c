using Confluent.Kafka;
using WalService.Api.V1;
using WalService.TestSupport;

namespace WalService.KafkaTests;

/// <summary>Faults injected into the mock cluster run alone, since every test of the lane shares the cluster.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KafkaFaultGroup
{
    public const string Name = "kafka faults";
}

/// <summary>Broker faults: writes answer FALSE or UNKNOWN honestly, never TRUE for a record that was not persisted; consumers recover.</summary>
[Collection(KafkaFaultGroup.Name)]
public sealed class KafkaFaultTests(KafkaServer server) : KafkaServerTest(server)
{
    [Fact]
    public async Task WithEveryBrokerDownWritesAreNotTrueAndEverythingFlowsOnceTheyAreBack()
    {
        var ns = await CreateConsumingAsync(KafkaNamespace(Target.Url("/ok")));
        var before = await WriteDurableAsync(ns.Name, "before");
        await Target.WaitForAppliedAsync(before, Deadline);

        WriteToLogResponse duringOutage;
        Cluster.SetBrokersDown(true);
        try
        {
            duringOutage = await Wal.WriteAsync(ns.Name, "during"u8.ToArray(), cancellationToken: Ct);
        }
        finally
        {
            Cluster.SetBrokersDown(false);
        }

        var after = await WriteDurableAsync(ns.Name, "after");
        await Target.WaitForAppliedAsync(after, Deadline);

        Assert.Contains(duringOutage.Durable, new[] { Trilean.False, Trilean.Unknown });
        Assert.Contains("kafka", duringOutage.Message, StringComparison.Ordinal);
        if (duringOutage.Durable == Trilean.False)
        {
            Assert.Empty(Target.For(duringOutage.MessageId));
        }
    }

    [Fact]
    public async Task AProduceErrorAnswersFalseAndReleasesTheIdempotencyKey()
    {
        var ns = await CreateConsumingAsync(KafkaNamespace(Target.Url("/ok")));
        var options = new Client.WalWriteOptions { IdempotencyKey = "retry-me" };

        Cluster.FailNextProduces(1, ErrorCode.PolicyViolation);
        var refused = await Wal.WriteAsync(ns.Name, "first"u8.ToArray(), options, Ct);
        var retried = await WriteDurableAsync(ns.Name, "second", options);
        var applied = await Target.WaitForAppliedAsync(retried, Deadline);

        Assert.Equal(Trilean.False, refused.Durable);
        Assert.Contains("kafka", refused.Message, StringComparison.Ordinal);
        Assert.NotEqual(refused.MessageId, retried);
        Assert.Equal("second", System.Text.Encoding.UTF8.GetString(applied.Body));
    }
}
