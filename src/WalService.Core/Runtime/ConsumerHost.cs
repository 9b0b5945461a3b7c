using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Telemetry;

namespace WalService.Core.Runtime;

/// <summary>
/// Runs one <see cref="NamespaceWorker"/> per active namespace of this instance's shard, keeps them in line with the
/// <see cref="NamespaceRegistry"/> (started, paused, re-tuned, removed) and publishes backlog metrics. On shutdown it
/// stops every worker, letting deliveries under way finish within the host's shutdown timeout.
/// </summary>
public sealed class ConsumerHost : BackgroundService
{
    private static readonly TimeSpan BacklogInterval = TimeSpan.FromSeconds(5);
    private readonly NamespaceRegistry _registry;
    private readonly BackendCatalog _backends;
    private readonly RuntimeServices _services;
    private readonly WorkSignals _reconcile = new();
    private readonly Dictionary<string, NamespaceWorker> _workers = new(StringComparer.Ordinal);
    private Task? _stopping;
    private TaskCompletionSource _nextPass = NewPass();

    public ConsumerHost(
        NamespaceRegistry registry,
        BackendCatalog backends,
        TargetCatalog targets,
        WorkSignals signals,
        WalMetrics metrics,
        RegionHealth regions,
        TimeProvider time,
        IOptions<WalOptions> options,
        ILogger<ConsumerHost> logger)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        _registry = registry;
        _backends = backends;
        _services = new RuntimeServices(targets, signals, metrics, regions, time, options.Value, logger);
        _registry.Changed += () => _reconcile.Notify(string.Empty);
    }

    /// <summary>
    /// Completes once the workers match the store as it is now (a pass begun after this call, its refresh from the
    /// store included, has run, or the consumers have stopped): after a pause, no delivery is under way here and none
    /// starts.
    /// </summary>
    public Task ReconciledAsync(CancellationToken cancellationToken)
    {
        Task pass;
        lock (_workers)
        {
            pass = _nextPass.Task;
        }

        _reconcile.Notify(string.Empty);
        return pass.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Stops every worker. A host may ask more than once (a test host's stop and the program's run ending both do):
    /// every caller waits for the one stop, so none goes on to dispose the backends while deliveries are under way.
    /// </summary>
    public override Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_workers)
        {
            _stopping ??= StopWorkersAsync(cancellationToken);
        }

        return _stopping.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lastBacklog = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            // Taken before the refresh: whoever waits for this pass sees the store as it was when they asked, even
            // if a refresh read earlier wrote an older copy of a namespace over the one they applied.
            TaskCompletionSource pass;
            lock (_workers)
            {
                pass = _nextPass;
                _nextPass = NewPass();
            }

            try
            {
                await _registry.RefreshAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                RuntimeLog.RefreshFailed(_services.Logger, ex);
            }

            try
            {
                await ReconcileAsync(stoppingToken);
            }
            finally
            {
                pass.TrySetResult();
            }

            if (_services.Time.GetUtcNow() - lastBacklog >= BacklogInterval)
            {
                await PublishBacklogAsync(stoppingToken);
                lastBacklog = _services.Time.GetUtcNow();
            }

            try
            {
                await _reconcile.WaitAsync(string.Empty, _registry.RefreshInterval, _services.Time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task StopWorkersAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        List<NamespaceWorker> stopping;
        lock (_workers)
        {
            stopping = [.. _workers.Values];
            _workers.Clear();
        }

        await Task.WhenAll(stopping.Select(w => StopWorkerAsync(w, cancellationToken)));
        lock (_workers)
        {
            _nextPass.TrySetResult();
        }
    }

    private static TaskCompletionSource NewPass() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var wanted = _registry.All
            .Where(ns => ns.Shard == _services.Options.Shard && ns.State == NamespaceState.Active && _backends.TryGet(ns.Backend, out _))
            .ToDictionary(ns => ns.Name, StringComparer.Ordinal);

        foreach (var (name, worker) in _workers.ToList())
        {
            if (!wanted.TryGetValue(name, out var settings) ||
                settings.Concurrency != worker.Concurrency ||
                settings.BatchSize != worker.BatchSize ||
                settings.Backend != worker.Settings.Backend)
            {
                await StopWorkerAsync(worker, cancellationToken);
                _workers.Remove(name);
            }
            else
            {
                worker.Settings = settings;
            }
        }

        foreach (var (name, settings) in wanted)
        {
            if (!_workers.ContainsKey(name))
            {
                var worker = new NamespaceWorker(settings, _backends.Get(settings.Backend), _services);
                _workers[name] = worker;
                worker.Start();
            }
        }
    }

    private static async Task StopWorkerAsync(NamespaceWorker worker, CancellationToken cancellationToken)
    {
        await worker.StopAsync(cancellationToken);
        worker.Dispose();
    }

    private async Task PublishBacklogAsync(CancellationToken cancellationToken)
    {
        var now = _services.Time.GetUtcNow();
        var served = _registry.All.Where(n => n.Shard == _services.Options.Shard).ToList();
        var names = served.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        _services.Metrics.RetainNamespaces(names);
        _services.Regions.RetainNamespaces(names);
        foreach (var ns in served)
        {
            if (!_backends.TryGet(ns.Backend, out var backend))
            {
                continue;
            }

            try
            {
                var keepApplied = ns.TrackStatus ? ns.DedupWindow : TimeSpan.Zero;
                await backend.TrimAsync(ns.Name, now - keepApplied, now, cancellationToken);
                await backend.SweepAsync(ns, now, cancellationToken);

                _services.Metrics.SetBacklog(ns.Name, await backend.GetBacklogAsync(ns.Name, now, cancellationToken));
                if (ns.Target.Replicate is { } replicate && backend is IRegionBacklog regions)
                {
                    var counts = await regions.GetRegionBacklogAsync(ns.Name, cancellationToken);
                    _services.Metrics.SetRegionBacklog(ns.Name, replicate.Regions.ToDictionary(r => r.Region, r => counts.GetValueOrDefault(r.Region), StringComparer.Ordinal));
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                RuntimeLog.BacklogFailed(_services.Logger, ex, ns.Name);
            }
        }
    }
}
