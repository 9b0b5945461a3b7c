using Google.Protobuf;
using Grpc.Health.V1;
using WalService.Api.V1;

namespace WalService.Bench;

/// <summary>The gRPC calls the phases make, one per loop, each on the loop's channel of the <see cref="ChannelSet"/>.</summary>
internal static class GrpcCalls
{
    /// <summary>The call of loop <paramref name="loop"/> of the Health/Check phase: SERVING counts as one message.</summary>
    public static Func<CancellationToken, Task<CallOutcome>> Health(ChannelSet channels, int loop)
    {
        var client = new Health.HealthClient(channels.For(loop));
        var request = new HealthCheckRequest();
        return async ct =>
        {
            var reply = await client.CheckAsync(request, cancellationToken: ct);
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving
                ? new CallOutcome(1, 0, null, null)
                : new CallOutcome(0, 1, null, $"health status {reply.Status}");
        };
    }

    /// <summary>The call of loop <paramref name="loop"/> of a WriteToLog phase: one entry.</summary>
    public static Func<CancellationToken, Task<CallOutcome>> Single(ChannelSet channels, int loop, string ns, ByteString payload)
    {
        var client = new WriteAheadLog.WriteAheadLogClient(channels.For(loop));
        var request = new WriteToLogRequest { Namespace = ns, Payload = payload };
        return async ct => CallOutcome.Of(await client.WriteToLogAsync(request, cancellationToken: ct));
    }

    /// <summary>The call of loop <paramref name="loop"/> of a WriteToLogBatch phase: <paramref name="size"/> entries, the same request every time.</summary>
    public static Func<CancellationToken, Task<CallOutcome>> Batch(ChannelSet channels, int loop, string ns, ByteString payload, int size)
    {
        var client = new WriteAheadLog.WriteAheadLogClient(channels.For(loop));
        var request = new WriteToLogBatchRequest();
        for (var i = 0; i < size; i++)
        {
            request.Entries.Add(new WriteToLogRequest { Namespace = ns, Payload = payload });
        }

        return async ct => CallOutcome.Of(await client.WriteToLogBatchAsync(request, cancellationToken: ct));
    }

    /// <summary>
    /// The call of loop <paramref name="loop"/> of a write phase to a <c>redis</c> or replicated namespace:
    /// <paramref name="size"/> entries, each a <see cref="CacheMutationBatch"/> that sets a key of its own
    /// (<c>bench:&lt;loop&gt;:&lt;entry&gt;</c>) to <paramref name="value"/>; the same request every time.
    /// </summary>
    public static Func<CancellationToken, Task<CallOutcome>> CacheBatch(ChannelSet channels, int loop, string ns, ByteString value, int size)
    {
        var client = new WriteAheadLog.WriteAheadLogClient(channels.For(loop));
        var request = new WriteToLogBatchRequest();
        for (var i = 0; i < size; i++)
        {
            var batch = new CacheMutationBatch { Mutations = { new CacheMutation { Key = $"bench:{loop}:{i}", SetValue = value } } };
            request.Entries.Add(new WriteToLogRequest { Namespace = ns, Payload = batch.ToByteString() });
        }

        return async ct => CallOutcome.Of(await client.WriteToLogBatchAsync(request, cancellationToken: ct));
    }
}
