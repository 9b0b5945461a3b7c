using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Telemetry;

namespace WalService.Core.Runtime;

/// <summary>
/// Delivers one namespace's messages: it subscribes to the namespace on its backend, a fetch loop leases due messages
/// into a channel, <see cref="NamespaceSettings.Concurrency"/> delivery loops take them to the target, and a
/// <see cref="VerdictRecorder"/> hands the verdicts back to the subscription. Messages of one ordering key leased
/// together go to one delivery loop, one after another in the order leased; after one that was not applied, the rest
/// are given back. At most batch_size + concurrency
/// messages are leased at once (a lease slot is freed when its verdict is recorded). Settings other than concurrency
/// and batch size are read live from <see cref="Settings"/>, and passed on to the subscription. The subscription is
/// the worker's own: disposed when the worker stops.
/// </summary>
internal sealed class NamespaceWorker : IDisposable
{
    private readonly ILogConsumer _backend;
    private readonly RuntimeServices _services;
    private readonly CancellationTokenSource _stopFetching = new();
    private readonly CancellationTokenSource _abortDeliveries = new();
    private readonly Channel<IReadOnlyList<LeasedMessage>> _leased;
    private readonly SemaphoreSlim _slots;
    private readonly Lock _gate = new();
    private NamespaceSettings _settings;
    private ILogSubscription? _subscription;
    private Task _running = Task.CompletedTask;

    public NamespaceWorker(NamespaceSettings settings, ILogConsumer backend, RuntimeServices services)
    {
        _settings = settings;
        _backend = backend;
        _services = services;
        Concurrency = settings.Concurrency;
        BatchSize = settings.BatchSize;
        _leased = Channel.CreateUnbounded<IReadOnlyList<LeasedMessage>>(new UnboundedChannelOptions { SingleWriter = true });
        _slots = new SemaphoreSlim(BatchSize + Concurrency);
    }

    /// <summary>The namespace as last seen; a new value reaches the subscription too.</summary>
    public NamespaceSettings Settings
    {
        get => Volatile.Read(ref _settings);
        set
        {
            lock (_gate)
            {
                Volatile.Write(ref _settings, value);
                _subscription?.Update(value);
            }
        }
    }

    public int Concurrency { get; }

    public int BatchSize { get; }

    private string Name => Settings.Name;

    public void Start()
    {
        _running = Task.Run(RunAsync);
        RuntimeLog.ConsumerStarted(_services.Logger, Name, Concurrency, BatchSize);
    }

    /// <summary>
    /// Stops leasing, lets deliveries under way finish and gives back what was leased but not started. When
    /// <paramref name="cancellationToken"/> fires first, deliveries under way are cancelled; their leases expire.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopFetching.CancelAsync();
        try
        {
            await using (cancellationToken.Register(_abortDeliveries.Cancel))
            {
                try
                {
                    await _running;
                }
                catch (OperationCanceledException)
                {
                    // Deliveries cut short by the deadline: their leases expire and the messages are delivered again.
                }
            }
        }
        finally
        {
            // Read after the loops ended: the subscription, if one was made, is the worker's to end.
            if (_subscription is { } subscription)
            {
                await subscription.DisposeAsync();
            }
        }

        RuntimeLog.ConsumerStopped(_services.Logger, Name);
    }

    public void Dispose()
    {
        _stopFetching.Dispose();
        _abortDeliveries.Dispose();
        _slots.Dispose();
    }

    /// <summary>Subscribes, then runs the fetch, delivery and verdict loops on the subscription until stopped.</summary>
    private async Task RunAsync()
    {
        if (await SubscribeAsync(_stopFetching.Token) is not { } subscription)
        {
            return;
        }

        var verdicts = new VerdictRecorder(subscription, _services, () => Settings, _slots);
        var delivering = Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(() => DeliverLoopAsync(subscription, verdicts))));
        await Task.WhenAll(Task.Run(() => FetchLoopAsync(subscription)), CompleteVerdictsAfter(delivering, verdicts), Task.Run(verdicts.RunAsync));
    }

    /// <summary>The namespace's subscription, tried again after a pause while the backend cannot give one; null when stopped first.</summary>
    private async Task<ILogSubscription?> SubscribeAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            var settings = Settings;
            try
            {
                var subscription = await _backend.SubscribeAsync(settings, token);
                lock (_gate)
                {
                    _subscription = subscription;
                    if (!ReferenceEquals(settings, _settings))
                    {
                        // Settings that arrived while subscribing.
                        subscription.Update(_settings);
                    }
                }

                return subscription;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                RuntimeLog.ConsumerLoopFailed(_services.Logger, ex, Name);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _services.Time, token);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }
        }

        return null;
    }

    private async Task FetchLoopAsync(ILogSubscription subscription)
    {
        var token = _stopFetching.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                try
                {
                    await FetchOnceAsync(subscription, token);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    RuntimeLog.ConsumerLoopFailed(_services.Logger, ex, Name);
                    await Task.Delay(TimeSpan.FromSeconds(1), _services.Time, token);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopping is expected.
        }
        finally
        {
            _leased.Writer.TryComplete();
        }
    }

    private async Task FetchOnceAsync(ILogSubscription subscription, CancellationToken token)
    {
        await _slots.WaitAsync(token);
        var free = 1;
        while (free < BatchSize && _slots.Wait(0, CancellationToken.None))
        {
            free++;
        }

        IReadOnlyList<LeasedMessage> batch;
        try
        {
            batch = await subscription.LeaseDueAsync(free, _services.Time.GetUtcNow(), LeaseDuration(Settings), token);
        }
        catch
        {
            _slots.Release(free);
            throw;
        }

        // Slots not used by this batch go back at once; used ones go back as each delivery ends.
        if (free > batch.Count)
        {
            _slots.Release(free - batch.Count);
        }

        foreach (var run in KeyRuns.Of(batch))
        {
            _leased.Writer.TryWrite(run);
        }

        if (batch.Count == 0)
        {
            await WaitForWorkAsync(subscription, token);
        }
    }

    /// <summary>A lease outlasts three tries of the slowest target call, so a slow delivery is not handed out twice.</summary>
    private TimeSpan LeaseDuration(NamespaceSettings settings)
    {
        var atLeast = 3 * _services.Targets.DeliveryTimeout(settings.Target);
        return atLeast > _services.Options.LeaseDuration ? atLeast : _services.Options.LeaseDuration;
    }

    private async Task WaitForWorkAsync(ILogSubscription subscription, CancellationToken token)
    {
        var wait = _services.Options.ConsumerIdlePoll;
        var next = await subscription.NextDueAsync(token);
        if (next is { } due)
        {
            var untilDue = due - _services.Time.GetUtcNow();
            wait = untilDue < wait ? untilDue : wait;
        }

        if (wait > TimeSpan.Zero)
        {
            await _services.Signals.WaitAsync(Name, wait, _services.Time, token);
        }
    }

    private static async Task CompleteVerdictsAfter(Task delivering, VerdictRecorder verdicts)
    {
        try
        {
            await delivering;
        }
        finally
        {
            verdicts.Complete();
        }
    }

    /// <summary>Delivers each run in order; what a stop or a failed delivery leaves of a run is given back.</summary>
    private async Task DeliverLoopAsync(ILogSubscription subscription, VerdictRecorder verdicts)
    {
        await foreach (var run in _leased.Reader.ReadAllAsync())
        {
            var next = 0;
            while (next < run.Count && !_stopFetching.IsCancellationRequested)
            {
                var message = run[next++];
                var outcome = await DeliverAsync(message, _abortDeliveries.Token);
                verdicts.Add(message, outcome);
                if (outcome.Verdict != DeliveryVerdict.Applied)
                {
                    break;
                }
            }

            for (; next < run.Count; next++)
            {
                await ReleaseAsync(subscription, run[next]);
            }
        }
    }

    private async Task ReleaseAsync(ILogSubscription subscription, LeasedMessage message)
    {
        try
        {
            await subscription.ReleaseAsync(message, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not given back: the lease runs out and the message is delivered then.
            RuntimeLog.VerdictFailed(_services.Logger, ex, message.Envelope.MessageId, Name);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<DeliveryOutcome> DeliverAsync(LeasedMessage message, CancellationToken token)
    {
        var envelope = message.Envelope;
        var settings = Settings;
        try
        {
            if (Replication.IsToSplit(envelope, settings) && _backend is ILogProducer log)
            {
                return await Replication.SplitAsync(log, settings, envelope, _services.Time.GetUtcNow(), token);
            }

            var (target, delivery) = envelope.Meta.Region.Length > 0
                ? Replication.ForRegion(Name, message, settings)
                : (envelope.Meta.Target ?? settings.Target, new Delivery(Name, envelope, message.Attempt));
            if (target is null)
            {
                return DeliveryOutcome.DeadLetter($"region '{envelope.Meta.Region}' is no longer a region of namespace '{Name}'");
            }

            var handler = _services.Targets.Get(target);
            return envelope.Meta.ChunkCount > 0
                ? await TransactionDelivery.DeliverAsync(handler, target, delivery, _backend as IStagedChunks, token)
                : await handler.DeliverAsync(target, delivery, token);
        }
        catch (NotSupportedException ex)
        {
            return DeliveryOutcome.DeadLetter(ex.Message);
        }
        catch (Exception ex) when (!token.IsCancellationRequested)
        {
            RuntimeLog.TargetThrew(_services.Logger, ex, envelope.MessageId, Name);
            return DeliveryOutcome.Retry(ex.Message);
        }
    }
}

/// <summary>What every namespace worker shares.</summary>
internal sealed record RuntimeServices(
    TargetCatalog Targets,
    WorkSignals Signals,
    WalMetrics Metrics,
    RegionHealth Regions,
    TimeProvider Time,
    WalOptions Options,
    ILogger Logger);
