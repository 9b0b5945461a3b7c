using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

/// <summary>The client's transaction helper: a batch of mutations too large for one chunk, written as one transaction.</summary>
public sealed class TransactionClientTests(WalServerFactory factory) : ServerTest(factory)
{
    private IKvStore Store => Factory.Services.GetServices<IKvStore>().Single(s => s.Name == "embedded");

    [Fact]
    public async Task ABatchLargerThanAChunkIsSentInChunksAndAppliedAsOne()
    {
        var config = await CreateAsync(new NamespaceConfig { Name = Namespaces.UniqueName("txn-client"), Target = new Target { Kv = new KvTarget { Table = "rows" } } });
        var mutations = new KvMutationBatch();
        for (var i = 0; i < 300; i++)
        {
            mutations.Mutations.Add(new KvMutation { Table = "rows", PartitionKey = $"row-{i}", SortKey = "v", PutValue = ByteString.CopyFromUtf8($"value {i}") });
        }

        var reports = new List<(int Durable, int Total)>();
        var id = await Wal.WriteTransactionAsync(config.Name, "bulk-" + Guid.NewGuid().ToString("N"), mutations, maxChunkBytes: 2048, progress: new SynchronousProgress(reports), cancellationToken: Ct);
        await WaitForStateAsync(config.Name, id, MessageState.Applied);

        var total = reports[0].Total;
        Assert.InRange(total, 5, 300);
        Assert.Equal(Enumerable.Range(1, total), reports.Select(r => r.Durable).Order());
        Assert.Equal("value 0", await ValueAsync("row-0"));
        Assert.Equal("value 299", await ValueAsync("row-299"));
    }

    private async Task<string?> ValueAsync(string pk) =>
        await Store.GetAsync("rows", pk, "v", Ct) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : null;

    /// <summary>Collects reports on the reporting thread (<see cref="Progress{T}"/> would post them later).</summary>
    private sealed class SynchronousProgress(List<(int Durable, int Total)> reports) : IProgress<(int Durable, int Total)>
    {
        public void Report((int Durable, int Total) value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
