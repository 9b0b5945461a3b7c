using System.Threading.Channels;
using Grpc.Core;
using WalService.Api.V1;

namespace WalService.Client;

/// <summary>
/// Writes single messages from many concurrent callers through <c>WriteToLogBatch</c>: a write goes out at once when a
/// call is free, and writes that arrive while every call is busy wait and go together in the next one (no timer, so a
/// lone write waits for nothing). Each caller gets its own entry's answer, as <see cref="WalClient.WriteAsync"/> gives
/// it: a rejected entry throws <see cref="RpcException"/> with the entry's status; an accepted one answers
/// <c>durable</c>. A failed call fails every write it carried, each as its own call would have failed. Long-lived:
/// register one (<c>services.AddWalClient()</c> does) and share it; dispose it to stop its calls.
/// </summary>
public sealed class WalBatchWriter : IAsyncDisposable
{
    private readonly WriteAheadLog.WriteAheadLogClient _log;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly int _maxEntries;
    private readonly int _maxBytes;
    private readonly Task[] _senders;

    /// <param name="log">The front door's client.</param>
    /// <param name="calls">Batch calls in flight at once [4].</param>
    /// <param name="maxEntries">Entries a call carries at most [500]; at most the server's <c>Wal:MaxBatchEntries</c>.</param>
    /// <param name="maxBytes">Payload and header bytes a call carries at most [1 MiB]; at most the server's <c>Wal:MaxBatchBytes</c>.</param>
    public WalBatchWriter(WriteAheadLog.WriteAheadLogClient log, int calls = 4, int maxEntries = 500, int maxBytes = 1 << 20)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentOutOfRangeException.ThrowIfLessThan(calls, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        _log = log;
        _maxEntries = maxEntries;
        _maxBytes = maxBytes;
        _senders = [.. Enumerable.Range(0, calls).Select(_ => Task.Run(SendAsync))];
    }

    /// <summary>Writes one message (see <see cref="WalClient.CreateRequest"/>), answered when the call carrying it is.</summary>
    public Task<WriteToLogResponse> WriteAsync(WriteToLogRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pending = new Pending(request, cancellationToken);
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(pending), this);
        return pending.Answer.Task;
    }

    /// <summary>Sends what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_senders);
    }

    private async Task SendAsync()
    {
        var batch = new List<Pending>(_maxEntries);
        while (await _queue.Reader.WaitToReadAsync())
        {
            var bytes = 0;
            while (batch.Count < _maxEntries && bytes < _maxBytes && _queue.Reader.TryRead(out var next))
            {
                if (next.CancellationToken.IsCancellationRequested)
                {
                    next.Answer.TrySetCanceled(next.CancellationToken);
                    continue;
                }

                batch.Add(next);
                bytes += next.Request.CalculateSize();
            }

            if (batch.Count > 0)
            {
                await SendOneAsync(batch);
                batch.Clear();
            }
        }
    }

    private async Task SendOneAsync(List<Pending> batch)
    {
        var request = new WriteToLogBatchRequest();
        request.Entries.AddRange(batch.Select(p => p.Request));
        try
        {
            var response = await _log.WriteToLogBatchAsync(request);
            for (var i = 0; i < batch.Count; i++)
            {
                var result = response.Results[i];
                if (result.Code != 0)
                {
                    batch[i].Answer.TrySetException(new RpcException(new Status((StatusCode)result.Code, result.Message)));
                }
                else
                {
                    batch[i].Answer.TrySetResult(result);
                }
            }
        }
        catch (Exception ex)
        {
            foreach (var pending in batch)
            {
                pending.Answer.TrySetException(ex);
            }
        }
    }

    private sealed record Pending(WriteToLogRequest Request, CancellationToken CancellationToken)
    {
        public TaskCompletionSource<WriteToLogResponse> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
