using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Runtime;

namespace WalService.Kafka;

/// <summary>Dead letters: written to the dead-letter topic and kept in the archive, which listing, redrive and purge use.</summary>
internal sealed partial class KafkaLog
{
    public async ValueTask DeadLetterAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var ns = message.Envelope.Meta.Namespace;
        if (!_consumers.TryGet(ns, out var consumer) || !consumer.Holds(message) || await KafkaOfAsync(ns, cancellationToken) is not { } kafka)
        {
            return;
        }

        await ProduceOrReturnAsync(
            consumer,
            message,
            kafka,
            kafka.DlqTopic,
            message.Envelope,
            (EnvelopeHeaders.Error, error),
            (EnvelopeHeaders.DeadLetteredAt, at.ToString("O")));
        try
        {
            await _archive.AddAsync([new ArchivedDeadLetter(message.Envelope, message.Attempt, error, at)], cancellationToken);
        }
        catch
        {
            consumer.Return(message);
            throw;
        }

        consumer.Finish(message);
        await _statuses.RecordAsync(ns, [new LedgerUpdate(ns, message.Envelope.MessageId, MessageState.DeadLettered, message.Attempt, error, null, null, at)], cancellationToken);
    }

    public Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string ns, int pageSize, string? afterId, CancellationToken cancellationToken) =>
        _deadLetters.ListAsync(ns, pageSize, afterId, cancellationToken);

    /// <summary>Writes dead letters back to the namespace's topic (see <see cref="ArchivedDeadLetters.RedriveAsync"/>).</summary>
    public async Task<long> RedriveAsync(string ns, IReadOnlyCollection<string> messageIds, int maxPerSecond, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = await _registry.GetAsync(ns, cancellationToken) ?? throw new ControlPlaneException(ControlPlaneError.NotFound, $"namespace '{ns}' is not registered");
        var kafka = KafkaNamespace.From(settings.Source.Config);
        return await _deadLetters.RedriveAsync(
            settings,
            messageIds,
            maxPerSecond,
            now,
            kafka.Topic,
            async envelopes => await Task.WhenAll(envelopes.Select(e => _appender.ProduceOneAsync(kafka, kafka.Topic, e))),
            cancellationToken);
    }

    public Task<long> PurgeAsync(string ns, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken) =>
        _deadLetters.PurgeAsync(ns, messageIds, cancellationToken);
}
