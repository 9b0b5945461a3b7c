using Google.Protobuf;
using WalService.Api.V1;

namespace WalService.Client;

/// <summary>Transactions: a change too large for one message, written in chunks and applied as one (see docs/api.md, "Transactions").</summary>
public sealed partial class WalClient
{
    /// <summary>Chunks of one transaction under way at once [4].</summary>
    public const int TransactionParallelism = 4;

    private const int MaxChunkTries = 5;

    /// <summary>
    /// Writes <paramref name="mutations"/> to a <c>kv</c> namespace as one transaction <paramref name="transactionId"/>:
    /// split in write order into chunks of at most <paramref name="maxChunkBytes"/> of mutations (a larger mutation is a
    /// chunk of its own), sent side by side, the last with <paramref name="options"/>. A chunk answered FALSE or UNKNOWN
    /// is sent again, which changes nothing when it was staged. Answers the transaction's message id once every chunk
    /// is durable; a chunk the service rejects throws <see cref="Grpc.Core.RpcException"/>, one still not durable after
    /// five tries throws <see cref="InvalidOperationException"/> (send the transaction again: staged chunks stay).
    /// <paramref name="progress"/> hears the number of chunks durable so far and the total.
    /// </summary>
    public async Task<string> WriteTransactionAsync(
        string ns,
        string transactionId,
        KvMutationBatch mutations,
        int maxChunkBytes,
        WalWriteOptions? options = null,
        IProgress<(int Durable, int Total)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mutations);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChunkBytes, 1);
        var chunks = Split(mutations, maxChunkBytes);
        var requests = chunks.Select((batch, sequence) =>
        {
            var last = sequence == chunks.Count - 1;
            var request = CreateRequest(ns, batch.ToByteArray(), last ? options : null);
            request.Chunk = new Chunk { TransactionId = transactionId, Sequence = sequence, Last = last };
            return request;
        }).ToList();

        var durable = 0;
        using var slots = new SemaphoreSlim(TransactionParallelism);
        var ids = await Task.WhenAll(requests.Select(async request =>
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                var id = await WriteChunkAsync(request, cancellationToken);
                progress?.Report((Interlocked.Increment(ref durable), requests.Count));
                return id;
            }
            finally
            {
                slots.Release();
            }
        }));
        return ids[^1];
    }

    /// <summary>The mutations in write order, cut into batches of at most <paramref name="maxChunkBytes"/> (never an empty one).</summary>
    internal static List<KvMutationBatch> Split(KvMutationBatch mutations, int maxChunkBytes)
    {
        var chunks = new List<KvMutationBatch> { new() };
        var size = 0;
        foreach (var mutation in mutations.Mutations)
        {
            var bytes = CodedOutputStream.ComputeMessageSize(mutation) + 1;
            if (size > 0 && size + bytes > maxChunkBytes)
            {
                chunks.Add(new KvMutationBatch());
                size = 0;
            }

            chunks[^1].Mutations.Add(mutation);
            size += bytes;
        }

        return chunks;
    }

    private async Task<string> WriteChunkAsync(WriteToLogRequest request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var answer = await Log.WriteToLogAsync(request, cancellationToken: cancellationToken);
            if (answer.Durable == Trilean.True)
            {
                return answer.MessageId;
            }

            if (attempt == MaxChunkTries)
            {
                throw new InvalidOperationException($"chunk {request.Chunk.Sequence} of transaction '{request.Chunk.TransactionId}' not durable after {attempt} tries: {answer.Message}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken);
        }
    }
}
