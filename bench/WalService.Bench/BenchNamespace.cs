using Grpc.Core;
using WalService.Api.V1;

namespace WalService.Bench;

/// <summary>The namespace a run writes to: created when missing (embedded, Kafka or SQS backend, <c>noop</c> target), else reported as it is.</summary>
internal static class BenchNamespace
{
    /// <summary>Creates the namespace unless it exists, and says which it is; in the Kafka or SQS mode an existing one must use that backend.</summary>
    public static async Task<string> EnsureAsync(NamespaceAdmin.NamespaceAdminClient admin, BenchSettings settings, CancellationToken cancellationToken)
    {
        var ns = settings.Namespace;
        try
        {
            var existing = await admin.GetNamespaceAsync(new GetNamespaceRequest { Name = ns }, cancellationToken: cancellationToken);
            var c = existing.Config;
            if ((settings.IsKafka && c.BackendCase != NamespaceConfig.BackendOneofCase.Kafka) || (settings.IsSqs && c.BackendCase != NamespaceConfig.BackendOneofCase.Sqs))
            {
                throw new InvalidOperationException($"namespace '{ns}' exists with the {c.BackendCase} backend; name another with --namespace");
            }

            return $"namespace '{ns}' exists (state {existing.State}, backend {c.BackendCase}, target {c.Target?.KindCase}, consumer concurrency {c.Consumer?.Concurrency ?? 0}, batch {c.Consumer?.BatchSize ?? 0}; 0 = default)";
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            // Created below.
        }

        var config = new NamespaceConfig
        {
            Name = ns,
            Target = new Target { Noop = new NoopTarget() },
            Consumer = new ConsumerSettings { Concurrency = settings.ConsumerConcurrency, BatchSize = settings.ConsumerBatchSize },
            TrackStatus = settings.TrackStatus,
        };
        var backend = SetBackend(config, settings);

        try
        {
            await admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: cancellationToken);
            return $"namespace '{ns}' created ({backend}, noop target, consumer concurrency {settings.ConsumerConcurrency}, batch {settings.ConsumerBatchSize}, track_status {settings.TrackStatus})";
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.AlreadyExists)
        {
            return $"namespace '{ns}' exists";
        }
    }

    /// <summary>
    /// Puts the run's backend into <paramref name="config"/>: Kafka (cluster and partitions of the settings) or SQS in
    /// those modes, else embedded; an SQS namespace on FIFO queues with <paramref name="fifo"/>. Returns its description.
    /// </summary>
    public static string SetBackend(NamespaceConfig config, BenchSettings settings, bool fifo = false)
    {
        if (settings.IsKafka)
        {
            config.Kafka = new KafkaBackend { Cluster = settings.KafkaCluster, Partitions = settings.KafkaPartitions };
            return $"kafka backend on cluster '{settings.KafkaCluster}', {settings.KafkaPartitions} partitions";
        }

        if (settings.IsSqs)
        {
            config.Sqs = new SqsBackend { Fifo = fifo };
            return fifo ? "sqs backend, FIFO queues by default" : "sqs backend, queues by default";
        }

        config.Embedded = new EmbeddedBackend();
        return "embedded backend";
    }
}
