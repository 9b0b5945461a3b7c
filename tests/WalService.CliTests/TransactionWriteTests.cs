using Google.Protobuf;
using WalService.Api.V1;

namespace WalService.CliTests;

/// <summary><c>walctl write NS --file mutations.json --chunk-size SIZE</c>: a KvMutationBatch written as one transaction.</summary>
public sealed class TransactionWriteTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("walctl-txn-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task TheFilesMutationsAreSentInChunksOfOneTransactionAndItsIdIsPrinted()
    {
        // Arrange
        var server = new FakeServer().On<WriteToLogRequest>("WriteToLog", _ => new WriteToLogResponse { Durable = Trilean.True, MessageId = "01TXN" });
        var mutations = Mutations(40);
        var path = await WriteFileAsync(JsonFormatter.Default.Format(mutations));

        // Act
        var run = await CliRun.RunAsync(server, ["write", "items", "--file", path, "--chunk-size", "1KiB", "--transaction-id", "import-1", "--key", "import-1", "--header", "source=walctl"]);

        // Assert
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal("message_id:     01TXN\ntransaction_id: import-1\ndurable:        TRUE\n", run.Stdout.ReplaceLineEndings("\n"));
        var chunks = server.Calls.Select(c => (WriteToLogRequest)c.Request).OrderBy(r => r.Chunk.Sequence).ToList();
        Assert.InRange(chunks.Count, 4, 40);
        Assert.Equal(Enumerable.Range(0, chunks.Count), chunks.Select(c => c.Chunk.Sequence));
        Assert.All(chunks, c => Assert.Equal(("items", "import-1"), (c.Namespace, c.Chunk.TransactionId)));
        Assert.All(chunks, c => Assert.InRange(c.Payload.Length, 1, 1024));
        Assert.Equal([chunks.Count - 1], chunks.Where(c => c.Chunk.Last).Select(c => c.Chunk.Sequence));
        Assert.Equal(("import-1", "walctl"), (chunks[^1].IdempotencyKey, chunks[^1].Headers["source"]));
        var sent = new KvMutationBatch();
        sent.Mutations.AddRange(chunks.SelectMany(c => KvMutationBatch.Parser.ParseFrom(c.Payload).Mutations));
        Assert.Equal(mutations, sent);
    }

    [Fact]
    public async Task ProgressGoesToStandardErrorUpToEveryChunkDurable()
    {
        // Arrange
        var server = new FakeServer().On<WriteToLogRequest>("WriteToLog", _ => new WriteToLogResponse { Durable = Trilean.True, MessageId = "01TXN" });
        var path = await WriteFileAsync(JsonFormatter.Default.Format(Mutations(40)));

        // Act
        var run = await CliRun.RunAsync(server, ["write", "items", "--file", path, "--chunk-size", "512B"]);

        // Assert
        var total = server.Calls.Count;
        var lines = run.Stderr.ReplaceLineEndings("\n").TrimEnd().Split('\n');
        Assert.StartsWith("transaction walctl-", lines[0], StringComparison.Ordinal);
        Assert.Contains(": 40 mutations, ", lines[0], StringComparison.Ordinal);
        Assert.InRange(lines.Length - 1, 2, 11);
        Assert.StartsWith($"chunks durable: 1/{total}, ", lines[1], StringComparison.Ordinal);
        Assert.Matches($@"^chunks durable: {total}/{total}, (\S+ \S+) of \1$", lines[^1]);
        var id = ((WriteToLogRequest)server.Calls[0].Request).Chunk.TransactionId;
        Assert.Contains($"transaction_id: {id}", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonOutputIsAWriteToLogResponse()
    {
        // Arrange
        var server = new FakeServer().On<WriteToLogRequest>("WriteToLog", _ => new WriteToLogResponse { Durable = Trilean.True, MessageId = "01TXN" });
        var path = await WriteFileAsync(JsonFormatter.Default.Format(Mutations(3)));

        // Act
        var run = await CliRun.RunAsync(server, ["write", "items", "--file", path, "--chunk-size", "256KiB", "-o", "json"]);

        // Assert
        var response = JsonParser.Default.Parse<WriteToLogResponse>(run.Stdout);
        Assert.Equal(("01TXN", Trilean.True), (response.MessageId, response.Durable));
    }

    [Fact]
    public async Task AChunkNeverDurableExitsUnknownAndSaysHowToFinishIt()
    {
        // Arrange
        var server = new FakeServer().On<WriteToLogRequest>("WriteToLog", r => r.Chunk.Sequence == 1
            ? new WriteToLogResponse { Durable = Trilean.Unknown, MessageId = "01TXN", Message = "commit outcome unknown" }
            : new WriteToLogResponse { Durable = Trilean.True, MessageId = "01TXN" });
        var path = await WriteFileAsync(JsonFormatter.Default.Format(Mutations(20)));

        // Act
        var run = await CliRun.RunAsync(server, ["write", "items", "--file", path, "--chunk-size", "512B", "--transaction-id", "t-7"]);

        // Assert
        Assert.Equal(ExitCodes.DurableUnknown, run.ExitCode);
        Assert.Empty(run.Stdout);
        Assert.Contains("error: chunk 1 of transaction 't-7' not durable after 5 tries: commit outcome unknown", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: send it again with --transaction-id t-7", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(5, server.Calls.Count(c => ((WriteToLogRequest)c.Request).Chunk.Sequence == 1));
    }

    [Fact]
    public async Task StandardInputIsReadWhenNoFileIsGiven()
    {
        // Arrange
        var server = new FakeServer().On<WriteToLogRequest>("WriteToLog", _ => new WriteToLogResponse { Durable = Trilean.True, MessageId = "01TXN" });

        // Act
        var run = await CliRun.RunAsync(server, ["write", "items", "--chunk-size", "1MiB"], stdin: JsonFormatter.Default.Format(Mutations(2)));

        // Assert
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var only = server.Single<WriteToLogRequest>("WriteToLog");
        Assert.Equal((0, true), (only.Chunk.Sequence, only.Chunk.Last));
        Assert.Equal(Mutations(2), KvMutationBatch.Parser.ParseFrom(only.Payload));
    }

    [Theory]
    [InlineData("12XB", "error: --chunk-size: '12XB' has an unknown unit 'XB'")]
    [InlineData("0", "error: --chunk-size: '0' is out of range")]
    [InlineData("big", "error: --chunk-size: 'big' is not a size")]
    public async Task ABadChunkSizeIsAUsageErrorNamingTheOption(string size, string expected)
    {
        // Act
        var run = await CliRun.RunAsync(null, ["write", "items", "--file", "mutations.json", "--chunk-size", size]);

        // Assert
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.StartsWith(expected, run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"mutations\": [", "not a valid wal.v1.KvMutationBatch")]
    [InlineData("{\"mutations\": [{\"partitionKey\": 7, \"bogus\": true}]}", "not a valid wal.v1.KvMutationBatch")]
    [InlineData("{}", "the batch has no \"mutations\"; nothing to write")]
    public async Task AFileThatIsNoBatchIsAUsageErrorNamingTheOptionAndSendsNothing(string json, string expected)
    {
        // Arrange
        var server = new FakeServer();
        var path = await WriteFileAsync(json);

        // Act
        var run = await CliRun.RunAsync(server, ["write", "items", "--file", path, "--chunk-size", "256KiB"]);

        // Assert
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.StartsWith($"error: --file {path}: {expected}", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(server.Calls);
    }

    [Fact]
    public async Task AMissingFileIsAUsageErrorNamingTheOption()
    {
        // Arrange
        var path = Path.Combine(_folder, "missing.json");

        // Act
        var run = await CliRun.RunAsync(new FakeServer(), ["write", "items", "--file", path, "--chunk-size", "256KiB"]);

        // Assert
        Assert.Equal((ExitCodes.Usage, $"error: --file {path}: no such file"), (run.ExitCode, run.Stderr.TrimEnd()));
    }

    [Fact]
    public async Task ATransactionIdWithoutAChunkSizeIsAUsageError()
    {
        // Act
        var run = await CliRun.RunAsync(null, ["write", "items", "hello", "--transaction-id", "t-1"]);

        // Assert
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.StartsWith("error: --transaction-id needs --chunk-size", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheHelpExplainsTransactions()
    {
        // Act
        var run = await CliRun.RunAsync(null, ["write", "--help"]);

        // Assert
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("--chunk-size <SIZE>", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("--transaction-id <ID>", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("walctl write items --file mutations.json --chunk-size 256KiB", run.Stdout, StringComparison.Ordinal);
    }

    private static KvMutationBatch Mutations(int count)
    {
        var batch = new KvMutationBatch();
        for (var i = 0; i < count; i++)
        {
            batch.Mutations.Add(i % 5 == 4
                ? new KvMutation { Table = "index", PartitionKey = $"i-{i - 1}", SortKey = "by-name", Delete = true }
                : new KvMutation { Table = i % 2 == 0 ? "items" : "index", PartitionKey = $"i-{i}", SortKey = "v", PutValue = ByteString.CopyFromUtf8(new string('x', 80) + i) });
        }

        return batch;
    }

    private async Task<string> WriteFileAsync(string text)
    {
        var path = Path.Combine(_folder, $"mutations-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, text, TestContext.Current.CancellationToken);
        return path;
    }
}
