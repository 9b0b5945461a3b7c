using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Brokered;

namespace WalService.Kafka;

/// <summary>Dead letters: kept in the archive (see <see cref="KafkaSubscription"/>), which listing, redrive and purge use.</summary>
internal sealed partial class KafkaLog
{
    public Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string ns, int pageSize, string? afterId, CancellationToken cancellationToken) =>
        _ledger.DeadLetters.ListAsync(ns, pageSize, afterId, cancellationToken);

    /// <summary>Writes dead letters back to the namespace's topic (see <see cref="ArchivedDeadLetters.RedriveAsync"/>).</summary>
    public async Task<long> RedriveAsync(string ns, IReadOnlyCollection<string> messageIds, int maxPerSecond, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = await _registry.GetAsync(ns, cancellationToken) ?? throw new ControlPlaneException(ControlPlaneError.NotFound, $"namespace '{ns}' is not registered");
        var kafka = KafkaNamespace.From(settings.Source.Config);
        return await _ledger.DeadLetters.RedriveAsync(
            settings,
            messageIds,
            maxPerSecond,
            now,
            kafka.Topic,
            async envelopes => await Task.WhenAll(envelopes.Select(e => _appender.ProduceOneAsync(kafka, kafka.Topic, e))),
            cancellationToken);
    }

    public Task<long> PurgeAsync(string ns, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken) =>
        _ledger.DeadLetters.PurgeAsync(ns, messageIds, cancellationToken);
}
