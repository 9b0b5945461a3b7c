using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using WalService.Api.V1;
using WalService.Core.Model;
using WalService.Core.Runtime;

namespace WalService.Kafka;

/// <summary>
/// Consumers of paused namespaces, kept in their consumer groups. Pausing a namespace stops its subscription; were its
/// consumer to leave the group, resuming would wait for a new group join (seconds: the broker's initial rebalance
/// delay, or a rebalance of every member). A paused namespace's consumer is parked here instead, its records kept and
/// its leases given back, and the subscription that resumes the namespace takes it back, already assigned. A parked
/// consumer is closed (it commits and leaves its group) when its namespace is deleted, is no longer paused without
/// being taken back within <see cref="ReclaimGrace"/>, changes cluster or topics, or when the service stops.
/// </summary>
internal sealed class ParkedConsumers : IAsyncDisposable
{
    /// <summary>How long a consumer stays parked once its namespace is no longer paused, for its new subscription to take it.</summary>
    public static readonly TimeSpan ReclaimGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Parked> _parked = new(StringComparer.Ordinal);
    private readonly NamespaceRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILogger<KafkaLog> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _checking;

    public ParkedConsumers(NamespaceRegistry registry, TimeProvider time, ILogger<KafkaLog> logger)
    {
        _registry = registry;
        _time = time;
        _logger = logger;
        _checking = Task.Run(CheckLoopAsync);
    }

    /// <summary>Whether a subscription of <paramref name="kafka"/> that stops now should park its consumer: its namespace is paused.</summary>
    public bool Wants(string ns, KafkaNamespace kafka) =>
        !_stopping.IsCancellationRequested && Paused(ns, kafka);

    public void Park(string ns, KafkaNamespace kafka, KafkaNamespaceConsumer consumer)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        consumer.ForgetLeases();
        var parked = new Parked(kafka, consumer) { Since = _time.GetUtcNow() };
        if (_parked.TryAdd(ns, parked))
        {
            KafkaLogEvents.Parked(_logger, ns);
        }
        else
        {
            _ = CloseAsync(parked);
        }
    }

    /// <summary>The namespace's parked consumer, if one is kept for <paramref name="kafka"/> and still works; the caller owns it.</summary>
    public KafkaNamespaceConsumer? Take(string ns, KafkaNamespace kafka)
    {
        if (!_parked.TryRemove(ns, out var parked))
        {
            return null;
        }

        if (parked.Kafka == kafka && !parked.Consumer.Failed)
        {
            KafkaLogEvents.Reclaimed(_logger, ns);
            return parked.Consumer;
        }

        _ = CloseAsync(parked);
        return null;
    }

    /// <summary>Closes the namespace's parked consumer, if any (the namespace is deleted).</summary>
    public Task DropAsync(string ns) =>
        _parked.TryRemove(ns, out var parked) ? CloseAsync(parked) : Task.CompletedTask;

    /// <summary>Closes every parked consumer: each commits and leaves its group.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _checking;
        await Task.WhenAll(_parked.Keys.ToList().Select(DropAsync));
        _stopping.Dispose();
    }

    private bool Paused(string ns, KafkaNamespace kafka) =>
        _registry.All.FirstOrDefault(n => n.Name == ns) is { Backend: BackendKind.Kafka, State: NamespaceState.Paused } settings
        && KafkaNamespace.From(settings.Source.Config) == kafka;

    private async Task CheckLoopAsync()
    {
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                await Task.Delay(CheckInterval, _time, _stopping.Token);
                var now = _time.GetUtcNow();
                foreach (var (ns, parked) in _parked)
                {
                    if (Paused(ns, parked.Kafka))
                    {
                        parked.Since = now;
                    }
                    else if (now - parked.Since >= ReclaimGrace && _parked.TryRemove(new KeyValuePair<string, Parked>(ns, parked)))
                    {
                        await CloseAsync(parked);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: DisposeAsync closes what is parked.
        }
    }

    private static async Task CloseAsync(Parked parked)
    {
        await parked.Consumer.StopAsync();
        parked.Consumer.Dispose();
    }

    /// <summary>A parked consumer; <see cref="Since"/> is when its namespace was last seen paused.</summary>
    private sealed class Parked(KafkaNamespace kafka, KafkaNamespaceConsumer consumer)
    {
        public KafkaNamespace Kafka { get; } = kafka;

        public KafkaNamespaceConsumer Consumer { get; } = consumer;

        public DateTimeOffset Since { get; set; }
    }
}
