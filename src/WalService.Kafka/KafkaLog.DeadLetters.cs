using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;

namespace WalService.Kafka;

/// <summary>Dead letters: written to the dead-letter topic and kept in the archive, which listing, redrive and purge use.</summary>
internal sealed partial class KafkaLog
{
    private const int RedrivePage = 500;

    public async ValueTask DeadLetterAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var ns = message.Envelope.Meta.Namespace;
        if (!_consumers.TryGetValue(ns, out var consumer) || !consumer.Holds(message) || await KafkaOfAsync(ns, cancellationToken) is not { } kafka)
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
        if (await TracksStatusAsync(ns, cancellationToken))
        {
            _statuses.Enqueue(new LedgerUpdate(ns, message.Envelope.MessageId, MessageState.DeadLettered, message.Attempt, error, null, null, at));
        }
    }

    public async Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string ns, int pageSize, string? afterId, CancellationToken cancellationToken)
    {
        var page = await _archive.ListAsync(ns, pageSize, afterId, [], cancellationToken);
        return [.. page.Select(ToDeadLetter)];
    }

    /// <summary>
    /// Writes dead letters back to the namespace's topic with a fresh attempt budget, then forgets them in the archive.
    /// A crash in between redrives them again at the next call: at least once, as everywhere.
    /// </summary>
    public async Task<long> RedriveAsync(string ns, IReadOnlyCollection<string> messageIds, int maxPerSecond, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = await _registry.GetAsync(ns, cancellationToken) ?? throw new ControlPlaneException(ControlPlaneError.NotFound, $"namespace '{ns}' is not registered");
        var kafka = KafkaNamespace.From(settings.Source.Config);
        long redriven = 0;
        while (true)
        {
            var page = await _archive.ListAsync(ns, RedrivePage, null, messageIds, cancellationToken);
            if (page.Count == 0)
            {
                return redriven;
            }

            var envelopes = page.Select((d, i) => Redriven(d.Envelope, maxPerSecond > 0 ? now.AddMilliseconds((redriven + i) * 1000L / maxPerSecond) : now)).ToList();
            // Waiting before the records exist, so a consumer that checks finished records never skips a redriven one.
            if (settings.TrackStatus)
            {
                await _ledger.RecordAsync([.. envelopes.Select(e => KafkaAppender.Waiting(e, now))], cancellationToken);
            }

            var results = await Task.WhenAll(envelopes.Select(e => _appender.ProduceOneAsync(kafka, kafka.Topic, e)));
            var written = envelopes.Where((_, i) => results[i].Durable == Trilean.True).ToList();
            if (written.Count > 0)
            {
                await _archive.RemoveAsync(ns, [.. written.Select(e => e.MessageId)], cancellationToken);
            }

            if (written.Count < page.Count)
            {
                if (settings.TrackStatus)
                {
                    await _ledger.RecordAsync(
                        [.. page.Where((_, i) => results[i].Durable != Trilean.True).Select(d => new LedgerUpdate(ns, d.Envelope.MessageId, MessageState.DeadLettered, d.Attempts, d.LastError, null, null, now))],
                        cancellationToken);
                }

                var failed = results.First(r => r.Durable != Trilean.True);
                throw new ControlPlaneException(ControlPlaneError.Unavailable, $"redrive of {failed.MessageId} to {kafka.Topic} failed after {redriven + written.Count} were redriven: {failed.Error}");
            }

            redriven += page.Count;
        }
    }

    public Task<long> PurgeAsync(string ns, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken) =>
        _archive.RemoveAsync(ns, messageIds, cancellationToken);

    private static Envelope Redriven(Envelope envelope, DateTimeOffset due)
    {
        var meta = envelope.Meta.Clone();
        meta.Attempt = 1;
        meta.DeliverAtMs = due.ToUnixTimeMilliseconds();
        return new Envelope(meta, envelope.Payload);
    }

    private static DeadLetter ToDeadLetter(ArchivedDeadLetter d)
    {
        var letter = new DeadLetter
        {
            MessageId = d.Envelope.MessageId,
            Payload = ByteString.CopyFrom(d.Envelope.Payload.Span),
            Attempts = d.Attempts,
            LastError = d.LastError,
            OriginalWriteTime = Timestamp.FromDateTimeOffset(d.Envelope.OriginalWriteTime),
            DeadLetteredAt = Timestamp.FromDateTimeOffset(d.DeadLetteredAt),
        };
        letter.Headers.Add(d.Envelope.Meta.Headers);
        return letter;
    }
}
