using System.Runtime.CompilerServices;
using Google.Protobuf;
using StackExchange.Redis;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Validation;

namespace WalService.Targets.Redis;

/// <summary>
/// Applies a <see cref="CacheMutationBatch"/> payload to the Redis named by <c>RedisTarget.endpoint</c> ("" =
/// <c>default</c>), all its mutations atomically and last writer wins per key (<see cref="CacheBatchScript"/>). An
/// unparsable or impossible payload is dead-lettered; connection errors, timeouts and Redis's refusals (LOADING,
/// READONLY, BUSY, ...) are retried.
/// </summary>
public sealed class RedisTargetHandler(RedisConnections connections) : ITargetHandler
{
    /// <summary>The lease floor of a Redis delivery, when the endpoint's client timeouts are shorter.</summary>
    private static readonly TimeSpan MinDeliveryTimeout = TimeSpan.FromSeconds(5);

    public Target.KindOneofCase Kind => Target.KindOneofCase.Redis;

    public IEnumerable<string> Validate(Target target, string fieldPath)
    {
        ArgumentNullException.ThrowIfNull(target);
        var redis = target.Redis;
        var name = EndpointName(redis);
        if (!connections.IsConfigured(name))
        {
            yield return $"{fieldPath}.redis.endpoint {ClientText.Quote(name)} is not a Redis of this server's configuration ({Setting(name)})";
        }

        if (redis.Ttl is { } ttl && (ttl.Seconds < 0 || ttl.Nanos < 0))
        {
            yield return $"{fieldPath}.redis.ttl must not be negative";
        }
    }

    public Task PrepareAsync(Target target, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The endpoint's connect timeout plus its command timeout (StackExchange.Redis ends a command itself after
    /// <c>asyncTimeout</c>), at least 5 s: a delivery's first one may wait for the connection too.
    /// </summary>
    public TimeSpan DeliveryTimeout(Target target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var timeout = connections.CommandTimeout(EndpointName(target.Redis));
        return timeout > MinDeliveryTimeout ? timeout : MinDeliveryTimeout;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<DeliveryOutcome> DeliverAsync(Target target, Delivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(delivery);
        CacheMutationBatch batch;
        try
        {
            batch = CacheMutationBatch.Parser.ParseFrom(delivery.Envelope.Payload.Span);
        }
        catch (InvalidProtocolBufferException ex)
        {
            return DeliveryOutcome.DeadLetter($"payload is not a wal.v1.CacheMutationBatch: {ex.Message}");
        }

        var name = EndpointName(target.Redis);
        if (!connections.IsConfigured(name))
        {
            // A namespace created before its Redis left the server's configuration.
            return DeliveryOutcome.DeadLetter($"Redis {ClientText.Quote(name)} is not configured on this server ({Setting(name)})");
        }

        if (batch.Mutations.Count == 0)
        {
            return DeliveryOutcome.Applied;
        }

        // A message forwarded from another region keeps that region's id, so every region breaks a tie alike.
        var meta = delivery.Envelope.Meta;
        var version = CacheBatchScript.Version(meta.OriginalWriteTimeMs, meta.OriginMessageId.Length > 0 ? meta.OriginMessageId : meta.MessageId);
        if (CacheBatchScript.TryBuild(batch, target.Redis.Ttl, version, out var keys, out var values) is { } problem)
        {
            return DeliveryOutcome.DeadLetter($"payload (wal.v1.CacheMutationBatch): {problem}");
        }

        try
        {
            var database = await connections.GetDatabaseAsync(name);
            await database.ScriptEvaluateAsync(CacheBatchScript.Text, keys, values);
            return DeliveryOutcome.Applied;
        }
        catch (RedisCommandException ex)
        {
            // Refused by the client before it was sent, whatever the server's state: on a cluster, keys in different slots.
            return DeliveryOutcome.DeadLetter($"Redis {ClientText.Quote(name)} cannot apply the payload: {ex.Message}");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Connection errors and timeouts, and every error reply: the payload was checked above, so the script cannot
            // fail because of it; a reply is the server's state (LOADING, READONLY, BUSY, OOM, NOSCRIPT after a flush,
            // CLUSTERDOWN, an ACL not yet granted), which an operator or time repairs, and dead-lettering would drop a
            // value that a retry still delivers in last-writer-wins order.
            return DeliveryOutcome.Retry($"Redis {ClientText.Quote(name)} failed: {ex.Message}");
        }
    }

    /// <summary>The setting that would configure <paramref name="name"/>, with <c>&lt;name&gt;</c> in it where the name would not show as typed.</summary>
    private static string Setting(string name) =>
        RedisTargetOptions.SettingOf(ClientText.Quote(name) == $"'{name}'" ? name : "<name>");

    private static string EndpointName(RedisTarget redis) => redis.Endpoint.Length > 0 ? redis.Endpoint : RedisTargetOptions.DefaultEndpoint;
}
