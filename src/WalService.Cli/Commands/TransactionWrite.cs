using System.Globalization;
using WalService.Api.V1;
using WalService.Client;

namespace WalService.Cli.Commands;

/// <summary>
/// <c>walctl write NS --file mutations.json --chunk-size 256KiB</c>: a <c>wal.v1.KvMutationBatch</c> in protobuf JSON,
/// written as one transaction through <see cref="WalClient.WriteTransactionAsync"/>, with its progress on standard error.
/// </summary>
internal static class TransactionWrite
{
    /// <summary>
    /// Parses <paramref name="json"/> (read from <paramref name="source"/>, as messages name it) and sends it as
    /// transaction <paramref name="transactionId"/>; prints the transaction's message id and answers the exit code.
    /// </summary>
    public static async Task<int> RunAsync(
        Invocation invocation, string ns, string source, string json, int chunkSize, string transactionId, WalWriteOptions options, CancellationToken cancellationToken)
    {
        var mutations = Parse(source, json);
        await invocation.Stderr.WriteLineAsync(
            $"transaction {transactionId}: {mutations.Mutations.Count} mutations, {Size(mutations.CalculateSize())}, in chunks of at most {Size(chunkSize)}");
        try
        {
            var id = await invocation.Client.WriteTransactionAsync(ns, transactionId, mutations, chunkSize, options, new ProgressLines(invocation.Stderr), cancellationToken);
            WriteResult(invocation.Output, id, transactionId);
            return ExitCodes.Success;
        }
        catch (TransactionNotDurableException e)
        {
            await invocation.Stderr.WriteLineAsync($"error: {e.Message}");
            await invocation.Stderr.WriteLineAsync($"hint: send it again with --transaction-id {transactionId}: the chunks already durable stay staged");
            return WriteCommand.ExitCode(e.LastAnswer);
        }
    }

    /// <summary>The mutations of <paramref name="json"/>; a usage error naming <paramref name="source"/> when it is not a non-empty batch.</summary>
    internal static KvMutationBatch Parse(string source, string json)
    {
        var mutations = InputReader.ParseJson<KvMutationBatch>(source, json);
        return mutations.Mutations.Count > 0 ? mutations : throw new UsageException($"{source}: the batch has no \"mutations\"; nothing to write");
    }

    /// <summary>A size for people: bytes below 1 KiB, else KiB or MiB with one decimal.</summary>
    internal static string Size(long bytes) => bytes switch
    {
        < 1024 => bytes.ToString(CultureInfo.InvariantCulture) + " B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => (bytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
    };

    private static void WriteResult(Output output, string messageId, string transactionId)
    {
        if (output.IsJson)
        {
            output.WriteJson(new WriteToLogResponse { Durable = Trilean.True, MessageId = messageId });
            return;
        }

        output.WriteFields(("message_id", messageId), ("transaction_id", transactionId), ("durable", "TRUE"));
    }

    /// <summary>
    /// Prints a line to standard error each time another tenth of the chunks is durable, and for the last one, so a large
    /// transaction prints about ten lines: <c>chunks durable: 5/50, 1.2 MiB of 12.0 MiB</c>.
    /// </summary>
    private sealed class ProgressLines(TextWriter stderr) : IProgress<TransactionProgress>
    {
        private int _tenths = -1;

        public void Report(TransactionProgress value)
        {
            var tenths = value.ChunksDurable * 10 / value.ChunkCount;
            if (tenths == _tenths)
            {
                return;
            }

            _tenths = tenths;
            stderr.WriteLine($"chunks durable: {value.ChunksDurable}/{value.ChunkCount}, {Size(value.BytesDurable)} of {Size(value.TotalBytes)}");
        }
    }
}
