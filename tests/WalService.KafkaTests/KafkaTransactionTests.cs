using Microsoft.Extensions.DependencyInjection;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Brokered;
using WalService.Core.Model;
using WalService.Core.Model.Storage;
using WalService.Core.Runtime;

namespace WalService.KafkaTests;

/// <summary>Transactions on Kafka beyond the acceptance flow: a marker that was never produced is produced by a sweep.</summary>
public sealed class KafkaTransactionTests(KafkaServer server) : KafkaServerTest(server)
{
    [Fact]
    public async Task ACompleteTransactionWhoseMarkerWasNeverProducedIsProducedOnceBySweepAndDeliveredInOrder()
    {
        var ns = await CreateConsumingAsync(KafkaNamespace(Target.Url("/ok")));
        var staging = Factory.Services.GetRequiredService<ITransactionStagingStore>();
        var id = Factory.Services.GetRequiredService<MessageIdGenerator>().Next();
        var txn = "crashed-" + Guid.NewGuid().ToString("N");
        var completedAt = DateTimeOffset.UtcNow;
        var lastMeta = EnvelopeCodec.EncodeMeta(new EnvelopeMeta { MessageId = id, Namespace = ns.Name, DeliverAtMs = completedAt.ToUnixTimeMilliseconds(), OriginalWriteTimeMs = completedAt.ToUnixTimeMilliseconds() });

        // What an instance killed between the last chunk's commit and the marker's produce leaves behind.
        ChunkStaging completing = default;
        foreach (var sequence in new[] { 2, 0, 1 })
        {
            completing = await staging.StageAsync(
                ns.Name, id, new TransactionChunk(txn, sequence, sequence == 2, 1 << 20), System.Text.Encoding.UTF8.GetBytes($"chunk {sequence}"),
                sequence == 2 ? lastMeta : null, completedAt, BrokeredTransactions.MarkerGrace, Ct);
        }

        var status = await WaitForStateAsync(ns.Name, id, MessageState.Applied);

        Assert.NotNull(completing.Completed);
        Assert.InRange(DateTimeOffset.UtcNow - completedAt, BrokeredTransactions.MarkerGrace, BrokeredTransactions.MarkerGrace + Deadline);
        Assert.Equal(["0", "1", "2"], Target.For(id).Select(r => r.Headers["wal-chunk"]));
        Assert.Equal(1, status.Attempts);
        Assert.Empty(await staging.ReadChunksAsync(ns.Name, txn, Ct));
    }
}
