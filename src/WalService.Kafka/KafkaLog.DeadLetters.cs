using WalService.Core.Abstractions;
using WalService.Core.Brokered;

namespace WalService.Kafka;

/// <summary>Redrive: dead letters kept in the archive (see <see cref="KafkaSubscription"/>) go back to the topic.</summary>
internal sealed partial class KafkaLog
{
    /// <summary>Writes dead letters back to the namespace's topic (see <see cref="ArchivedDeadLetters.RedriveAsync"/>).</summary>
    public async Task<long> RedriveAsync(string ns, IReadOnlyCollection<string> messageIds, int maxPerSecond, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = await _registry.GetAsync(ns, cancellationToken) ?? throw new ControlPlaneException(ControlPlaneError.NotFound, $"namespace '{ns}' is not registered");
        var kafka = KafkaNamespace.From(settings.Source.Config);
        return await Ledger.DeadLetters.RedriveAsync(
            settings,
            messageIds,
            maxPerSecond,
            now,
            kafka.Topic,
            async envelopes => await Task.WhenAll(envelopes.Select(e => _appender.ProduceOneAsync(kafka, kafka.Topic, e))),
            cancellationToken);
    }
}
