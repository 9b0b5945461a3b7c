using Confluent.Kafka;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Validation;

namespace WalService.Kafka;

/// <summary>Validation, topics, status, backlog and readiness of Kafka namespaces.</summary>
internal sealed partial class KafkaLog
{
    private static readonly TimeSpan AdminTimeout = TimeSpan.FromSeconds(5);

    public IEnumerable<string> Validate(NamespaceConfig config, NamespaceConfig? current)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.BackendCase != NamespaceConfig.BackendOneofCase.Kafka)
        {
            yield break;
        }

        var kafka = KafkaNamespace.From(config);
        if (!_clusters.Contains(kafka.Cluster))
        {
            var known = _clusters.Names.Any() ? string.Join(", ", _clusters.Names) : "none";
            yield return $"config.kafka.cluster {ClientText.Quote(kafka.Cluster)} is not configured on this server (Wal:Kafka:Clusters:<name>:BootstrapServers); configured: {known}";
        }

        foreach (var (field, topic) in new[] { ("topic", kafka.Topic), ("retry_topic", kafka.RetryTopic), ("dlq_topic", kafka.DlqTopic) })
        {
            if (!KafkaTopics.IsLegalName(topic))
            {
                yield return $"config.kafka.{field} {ClientText.Quote(topic)} is not a valid topic name ({KafkaTopics.NameRule})";
            }
        }

        if (new[] { kafka.Topic, kafka.RetryTopic, kafka.DlqTopic }.Distinct(StringComparer.Ordinal).Count() < 3)
        {
            yield return "config.kafka: topic, retry_topic and dlq_topic must be three different topics";
        }

        if (config.Kafka.Partitions < 0)
        {
            yield return "config.kafka.partitions must not be negative (0 = 4)";
        }

        if (current?.BackendCase == NamespaceConfig.BackendOneofCase.Kafka && KafkaNamespace.From(current) is var was && was with { Partitions = kafka.Partitions } != kafka)
        {
            yield return $"config.kafka: cluster and topics cannot change (they are {was.Cluster}: {was.Topic}, {was.RetryTopic}, {was.DlqTopic}); create a new namespace to move";
        }
    }

    /// <summary>Creates the namespace's missing topics, where the cluster allows it (<see cref="KafkaClusterOptions.CreateTopics"/>).</summary>
    public Task PrepareAsync(NamespaceSettings ns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return ns.Backend == BackendKind.Kafka
            ? KafkaTopics.EnsureAsync(_clusters, KafkaNamespace.From(ns.Source.Config), _logger, cancellationToken)
            : Task.CompletedTask;
    }

    /// <summary>The consumer group's lag over the namespace's topic and retry topic: records written and not yet finished.</summary>
    public async Task<long> CountUndeliveredAsync(string ns, CancellationToken cancellationToken) =>
        await _registry.GetAsync(ns, cancellationToken) is { Backend: BackendKind.Kafka } settings
            ? await Task.Run(() => KafkaTopics.Lag(_clusters, KafkaNamespace.From(settings.Source.Config), _clusters.Options.ConsumerGroupPrefix + ns, AdminTimeout), cancellationToken)
            : 0;

    /// <summary>What this instance holds of the namespace (other instances hold the rest), and its dead letters.</summary>
    public async Task<Backlog> GetBacklogAsync(string ns, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var deadLetters = await Ledger.DeadLetters.CountAsync(ns, cancellationToken);
        return Subscriptions.TryGet(ns, out var subscription) && subscription.Consumer is { } consumer
            ? consumer.Backlog(now, deadLetters)
            : new Backlog(0, 0, 0, deadLetters, null);
    }

    /// <summary>
    /// Per Kafka namespace: its cluster answers, its topics exist, and how many partitions of its topic and retry topic
    /// this instance consumes. One metadata request per cluster in use.
    /// </summary>
    public async Task<BackendReadiness> CheckReadinessAsync(CancellationToken cancellationToken)
    {
        var namespaces = _registry.All.Where(n => n.Backend == BackendKind.Kafka).ToList();
        var states = new Dictionary<string, NamespaceReadiness>(StringComparer.Ordinal);
        foreach (var cluster in namespaces.GroupBy(n => KafkaNamespace.From(n.Source.Config).Cluster))
        {
            var topics = _clusters.Contains(cluster.Key)
                ? await Task.Run(() => KafkaTopics.Partitions(_clusters, cluster.Key, AdminTimeout), cancellationToken)
                : null;
            foreach (var ns in cluster)
            {
                states[ns.Name] = Readiness(ns, KafkaNamespace.From(ns.Source.Config), topics);
            }
        }

        return new BackendReadiness(states.Values.All(s => s.Ready), states);
    }

    private NamespaceReadiness Readiness(NamespaceSettings ns, KafkaNamespace kafka, IReadOnlyDictionary<string, int>? topics)
    {
        if (topics is null)
        {
            return new NamespaceReadiness(false, $"cluster '{kafka.Cluster}' does not answer or is not configured");
        }

        var missing = new[] { kafka.Topic, kafka.RetryTopic, kafka.DlqTopic }.Where(t => !topics.ContainsKey(t)).ToList();
        if (missing.Count > 0)
        {
            return new NamespaceReadiness(false, $"topic(s) {string.Join(", ", missing)} missing on cluster '{kafka.Cluster}'");
        }

        if (ns.State == NamespaceState.Paused)
        {
            return new NamespaceReadiness(true, "paused");
        }

        var total = topics[kafka.Topic] + topics[kafka.RetryTopic];
        var here = Subscriptions.TryGet(ns.Name, out var subscription) ? subscription.Consumer?.AssignedPartitions ?? 0 : 0;
        return new NamespaceReadiness(true, $"consuming {here} of {total} partitions here");
    }
}
