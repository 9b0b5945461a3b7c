using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;

namespace WalService.Sqs;

/// <summary>Dead letters: sent to the dead-letter queue and kept in the archive, which listing, redrive and purge use.</summary>
internal sealed partial class SqsLog
{
    private const int RedrivePage = 500;

    public async ValueTask DeadLetterAsync(LeasedMessage message, DateTimeOffset at, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var ns = message.Envelope.Meta.Namespace;
        if (!_consumers.TryGetValue(ns, out var consumer) || consumer.Take(message) is not { } handle || await SqsOfAsync(ns, cancellationToken) is not { } sqs)
        {
            return;
        }

        await SendOrReturnAsync(consumer, handle, sqs.DlqQueue, message.Envelope, (SqsMessages.Error, error), (SqsMessages.DeadLetteredAt, at.ToString("O")));
        try
        {
            await _archive.AddAsync([new ArchivedDeadLetter(message.Envelope, message.Attempt, error, at)], cancellationToken);
        }
        catch
        {
            await consumer.ReturnAsync(handle);
            throw;
        }

        await DeleteAsync(consumer, [handle]);
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
    /// Sends dead letters back to the namespace's queue with a fresh attempt budget, then forgets them in the archive.
    /// A crash in between redrives them again at the next call: at least once, as everywhere.
    /// </summary>
    public async Task<long> RedriveAsync(string ns, IReadOnlyCollection<string> messageIds, int maxPerSecond, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = await _registry.GetAsync(ns, cancellationToken) ?? throw new ControlPlaneException(ControlPlaneError.NotFound, $"namespace '{ns}' is not registered");
        var sqs = SqsNamespace.From(settings.Source.Config);
        var url = await _queues.UrlAsync(sqs.Queue, cancellationToken);
        long redriven = 0;
        while (true)
        {
            var page = await _archive.ListAsync(ns, RedrivePage, null, messageIds, cancellationToken);
            if (page.Count == 0)
            {
                return redriven;
            }

            var envelopes = page.Select((d, i) => Redriven(d.Envelope, maxPerSecond > 0 ? now.AddMilliseconds((redriven + i) * 1000L / maxPerSecond) : now)).ToList();
            // Waiting before the messages exist, so a consumer that checks finished messages never skips a redriven one.
            if (settings.TrackStatus)
            {
                await _ledger.RecordAsync([.. envelopes.Select(e => SqsAppender.Waiting(e, now))], cancellationToken);
            }

            var results = await SqsMessages.SendAsync(_queues.Client, url, envelopes, now, CancellationToken.None);
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
                throw new ControlPlaneException(ControlPlaneError.Unavailable, $"redrive of {failed.MessageId} to {sqs.Queue} failed after {redriven + written.Count} were redriven: {failed.Error}");
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
