using Grpc.Core;
using WalService.Api.V1;
using WalService.Client;

namespace WalService.KafkaTests;

/// <summary>Ordering and the control plane on Kafka namespaces (idempotency, batches and pause are in <see cref="KafkaAcceptanceTests"/>).</summary>
public sealed class KafkaNamespaceTests(KafkaServer server) : KafkaServerTest(server)
{
    [Fact]
    public async Task MessagesWithOneOrderingKeyArriveInWriteOrderEvenWhenTheFirstRetries()
    {
        var ns = await CreateAsync(KafkaNamespace(Target.Url("/fail/1"), maxAttempts: 5));
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
        Assert.All(ids, id => Assert.Equal([503, 200], Target.For(id).Select(r => r.AnsweredStatus)));
    }

    [Fact]
    public async Task DeletingANamespaceWithUndeliveredMessagesNeedsForce()
    {
        var ns = await CreateAsync(KafkaNamespace(Target.Url("/ok")));
        await Wal.Admin.PauseNamespaceAsync(new PauseNamespaceRequest { Name = ns.Name }, cancellationToken: Ct);
        for (var i = 0; i < 3; i++)
        {
            await WriteDurableAsync(ns.Name, $"m{i}");
        }

        await AssertRpcErrorAsync(
            StatusCode.FailedPrecondition,
            () => Wal.Admin.DeleteNamespaceAsync(new DeleteNamespaceRequest { Name = ns.Name }, cancellationToken: Ct).ResponseAsync,
            "has 3 messages not yet delivered");
        await Wal.Admin.DeleteNamespaceAsync(new DeleteNamespaceRequest { Name = ns.Name, Force = true }, cancellationToken: Ct);
        await AssertRpcErrorAsync(StatusCode.NotFound, () => Wal.Admin.GetNamespaceAsync(new GetNamespaceRequest { Name = ns.Name }, cancellationToken: Ct).ResponseAsync, ns.Name);
    }

    [Fact]
    public async Task AnUnknownClusterIsRefusedNamingTheField()
    {
        var config = KafkaNamespace(Target.Url("/ok"));
        config.Kafka.Cluster = "elsewhere";

        await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => CreateAsync(config), "config.kafka.cluster 'elsewhere' is not configured");
    }

    [Fact]
    public async Task AnIllegalTopicNameIsRefusedNamingTheField()
    {
        var config = KafkaNamespace(Target.Url("/ok"));
        config.Kafka.RetryTopic = "no spaces/allowed";

        await AssertRpcErrorAsync(StatusCode.InvalidArgument, () => CreateAsync(config), "config.kafka.retry_topic");
    }

    [Fact]
    public async Task TheBackendOfANamespaceCannotChange()
    {
        var config = await CreateAsync(KafkaNamespace(Target.Url("/ok")));
        var current = await Wal.Admin.GetNamespaceAsync(new GetNamespaceRequest { Name = config.Name }, cancellationToken: Ct);
        var changed = current.Config.Clone();
        changed.Embedded = new EmbeddedBackend();

        await AssertRpcErrorAsync(
            StatusCode.InvalidArgument,
            () => Wal.Admin.UpdateNamespaceAsync(new UpdateNamespaceRequest { Config = changed, ExpectedVersion = current.Version }, cancellationToken: Ct).ResponseAsync,
            "config.backend cannot change");
    }

    [Fact]
    public async Task TopicsCannotChangeButConsumerSettingsCan()
    {
        var config = await CreateAsync(KafkaNamespace(Target.Url("/ok")));
        var current = await Wal.Admin.GetNamespaceAsync(new GetNamespaceRequest { Name = config.Name }, cancellationToken: Ct);
        var moved = current.Config.Clone();
        moved.Kafka.Topic = "elsewhere";
        var tuned = current.Config.Clone();
        tuned.Consumer = new ConsumerSettings { Concurrency = 8 };

        await AssertRpcErrorAsync(
            StatusCode.InvalidArgument,
            () => Wal.Admin.UpdateNamespaceAsync(new UpdateNamespaceRequest { Config = moved, ExpectedVersion = current.Version }, cancellationToken: Ct).ResponseAsync,
            "config.kafka: cluster and topics cannot change");
        var updated = await Wal.Admin.UpdateNamespaceAsync(new UpdateNamespaceRequest { Config = tuned, ExpectedVersion = current.Version }, cancellationToken: Ct);

        Assert.Equal(8, updated.Config.Consumer.Concurrency);
    }
}
