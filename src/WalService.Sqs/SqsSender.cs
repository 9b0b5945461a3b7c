using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;

namespace WalService.Sqs;

/// <summary>
/// Coalesces the writes to one queue. Each write waits in line; up to <paramref name="maxSenders"/> senders take what
/// waits, as much as one <c>SendMessageBatch</c> carries (10 entries, 256 KiB), send it, and take again until the line
/// is empty. Writes that arrive while a send is under way thus go out together in the next batch, and a large batch of
/// writes goes out in several calls at once. A FIFO queue has one sender, so batches reach it in the order of the line.
/// Each write is answered as <see cref="SqsMessages.SendAsync"/> answers its entry.
/// </summary>
internal sealed class SqsSender(SqsQueues queues, string queueUrl, int maxSenders, TimeProvider time)
{
    private readonly Queue<Pending> _line = new();
    private readonly Lock _lock = new();
    private int _senders;

    /// <summary>Sends the envelope in one of the next batches; answers how SQS took it.</summary>
    public Task<AppendResult> SendAsync(Envelope envelope)
    {
        var pending = new Pending(envelope, new TaskCompletionSource<AppendResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        bool start;
        lock (_lock)
        {
            _line.Enqueue(pending);
            start = _senders < maxSenders;
            _senders += start ? 1 : 0;
        }

        if (start)
        {
            _ = SendWhileWaitingAsync();
        }

        return pending.Answer.Task;
    }

    private async Task SendWhileWaitingAsync()
    {
        while (Take() is { Count: > 0 } batch)
        {
            AppendResult[] results;
            try
            {
                results = await SqsMessages.SendAsync(queues, queueUrl, [.. batch.Select(p => p.Envelope)], time.GetUtcNow(), resend: false, CancellationToken.None);
            }
            catch (Exception ex)
            {
                results = [.. batch.Select(p => new AppendResult(Trilean.Unknown, p.Envelope.MessageId, $"sqs: {ex.Message}"))];
            }

            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Answer.TrySetResult(results[i]);
            }
        }
    }

    /// <summary>The next batch from the line; empty (and this sender done) when nothing waits.</summary>
    private List<Pending> Take()
    {
        lock (_lock)
        {
            var batch = new List<Pending>(SqsMessages.MaxBatch);
            long bytes = 0;
            while (_line.TryPeek(out var next) && SqsMessages.SizeOf(next.Envelope) is var size && SqsMessages.Fits(batch.Count, bytes, size))
            {
                batch.Add(_line.Dequeue());
                bytes += size;
            }

            _senders -= batch.Count == 0 ? 1 : 0;
            return batch;
        }
    }

    private sealed record Pending(Envelope Envelope, TaskCompletionSource<AppendResult> Answer);
}
