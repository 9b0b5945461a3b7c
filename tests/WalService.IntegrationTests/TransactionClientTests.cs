using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using WalService.Api.V1;
using WalService.Cli;
using WalService.Client;
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

        var reports = new List<TransactionProgress>();
        var id = await Wal.WriteTransactionAsync(config.Name, "bulk-" + Guid.NewGuid().ToString("N"), mutations, maxChunkBytes: 2048, progress: new SynchronousProgress(reports), cancellationToken: Ct);
        await WaitForStateAsync(config.Name, id, MessageState.Applied);

        var total = reports[0].ChunkCount;
        Assert.InRange(total, 5, 300);
        Assert.Equal(Enumerable.Range(1, total), reports.Select(r => r.ChunksDurable));
        Assert.Equal(mutations.CalculateSize(), reports[^1].TotalBytes);
        Assert.Equal(reports[^1].TotalBytes, reports[^1].BytesDurable);
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.First.BytesDurable < p.Second.BytesDurable), "the bytes durable grow with every report");
        Assert.Equal("value 0", await ValueAsync("row-0"));
        Assert.Equal("value 299", await ValueAsync("row-299"));
    }

    [Fact]
    public async Task WalctlWritesAFileOfMutationsAsOneTransactionThatIsApplied()
    {
        var config = await CreateAsync(new NamespaceConfig { Name = Namespaces.UniqueName("txn-walctl"), Target = new Target { Kv = new KvTarget { Table = "rows" } } });
        var mutations = new KvMutationBatch();
        for (var i = 0; i < 200; i++)
        {
            mutations.Mutations.Add(new KvMutation { Table = "rows", PartitionKey = $"cli-{i}", SortKey = "v", PutValue = ByteString.CopyFromUtf8($"cli value {i}") });
        }

        var file = Path.Combine(Factory.DataDirectory, $"{config.Name}.json");
        await File.WriteAllTextAsync(file, JsonFormatter.Default.Format(mutations), Ct);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await WalCtl.RunAsync(["write", config.Name, "--file", file, "--chunk-size", "1KiB"], stdout, stderr, TextReader.Null, _ => Factory.CreateWalClient());

        Assert.True(code == 0, stderr.ToString());
        var id = System.Text.RegularExpressions.Regex.Match(stdout.ToString(), @"message_id:\s+(\S+)").Groups[1].Value;
        var status = await WaitForStateAsync(config.Name, id, MessageState.Applied);
        Assert.Equal(MessageState.Applied, status.State);
        Assert.Matches(@"chunks durable: (\d+)/\1, ", stderr.ToString().ReplaceLineEndings("\n").TrimEnd().Split('\n')[^1]);
        Assert.Equal("cli value 0", await ValueAsync("cli-0"));
        Assert.Equal("cli value 199", await ValueAsync("cli-199"));
    }

    private async Task<string?> ValueAsync(string pk) =>
        await Store.GetAsync("rows", pk, "v", Ct) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : null;

    /// <summary>Collects reports on the reporting thread (<see cref="Progress{T}"/> would post them later).</summary>
    private sealed class SynchronousProgress(List<TransactionProgress> reports) : IProgress<TransactionProgress>
    {
        public void Report(TransactionProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
