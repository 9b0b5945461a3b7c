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
    /// five tries throws <see cref="TransactionNotDurableException"/> (send the transaction again: staged chunks stay).
    /// <paramref name="progress"/> hears, after each chunk made durable, the chunks and payload bytes durable so far and in all.
    /// </summary>
    public async Task<string> WriteTransactionAsync(
        string ns,
        string transactionId,
        KvMutationBatch mutations,
        int maxChunkBytes,
        WalWriteOptions? options = null,
        IProgress<TransactionProgress>? progress = null,
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

        var totalBytes = requests.Sum(r => (long)r.Payload.Length);
        var reported = new TransactionProgress(0, requests.Count, 0, totalBytes);
        var gate = new Lock();
        using var slots = new SemaphoreSlim(TransactionParallelism);
        var ids = await Task.WhenAll(requests.Select(async request =>
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                var id = await WriteChunkAsync(request, cancellationToken);
                lock (gate)
                {
                    // Under the lock, so reports come in order and their chunk and byte counts agree.
                    reported = reported with { ChunksDurable = reported.ChunksDurable + 1, BytesDurable = reported.BytesDurable + request.Payload.Length };
                    progress?.Report(reported);
                }

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
                throw new TransactionNotDurableException(request.Chunk.TransactionId, request.Chunk.Sequence, attempt, answer);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken);
        }
    }
}
