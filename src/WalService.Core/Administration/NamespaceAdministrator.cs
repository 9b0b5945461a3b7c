using Grpc.Core;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Runtime;
using WalService.Core.Validation;

namespace WalService.Core.Administration;

/// <summary>
/// The logic of namespace administration, whatever front end asks (the <c>NamespaceAdmin</c> gRPC service today):
/// create, read, list, update, pause, resume and delete namespaces, and inspect, redrive and purge their dead
/// letters. Changes go to the control-plane store and straight into this instance's registry, so its consumers see
/// them at once; other instances see them at their next refresh. A refused request throws
/// <see cref="RequestRejectedException"/> and changes nothing; the store's own refusals (a taken name, a stale
/// version, an unreachable store) arrive as <see cref="ControlPlaneException"/>.
/// </summary>
public sealed partial class NamespaceAdministrator
{
    /// <summary>The longest a pause waits for this instance's deliveries of the namespace to end: three default HTTP timeouts.</summary>
    private static readonly TimeSpan PauseSettleLimit = TimeSpan.FromSeconds(30);

    private readonly IControlPlaneStore _store;
    private readonly NamespaceRegistry _registry;
    private readonly BackendCatalog _backends;
    private readonly NamespaceConfigAdmission _admission;
    private readonly WorkSignals _signals;
    private readonly ConsumerHost _consumers;
    private readonly TimeProvider _time;

    public NamespaceAdministrator(
        IControlPlaneStore store,
        NamespaceRegistry registry,
        BackendCatalog backends,
        TargetCatalog targets,
        WorkSignals signals,
        ConsumerHost consumers,
        TimeProvider time)
    {
        _store = store;
        _registry = registry;
        _backends = backends;
        _admission = new NamespaceConfigAdmission(backends, targets);
        _signals = signals;
        _consumers = consumers;
        _time = time;
    }

    /// <summary>Registers a namespace at version 1, ACTIVE, once its config passed and its backend and target are prepared.</summary>
    public async Task<Namespace> CreateAsync(NamespaceConfig? config, CancellationToken cancellationToken)
    {
        await _admission.AdmitAsync(config, null, cancellationToken);
        var created = await _store.CreateAsync(config!, _time.GetUtcNow(), cancellationToken);
        _registry.Apply(created);
        return created;
    }

    /// <summary>The namespace as the store holds it; NOT_FOUND when it is not registered.</summary>
    public async Task<Namespace> GetAsync(string name, CancellationToken cancellationToken)
    {
        NamespaceLookup.RequireName(name, "name");
        return await _store.GetAsync(name, cancellationToken)
            ?? throw new RequestRejectedException(NamespaceLookup.NotRegistered(name));
    }

    /// <summary>Namespaces in name order; <paramref name="pageSize"/> 0 asks for the default page.</summary>
    public async Task<Page<Namespace>> ListAsync(int pageSize, string pageToken, CancellationToken cancellationToken)
    {
        var size = PageTokens.Size(pageSize);
        var read = await _store.ListAsync(size + 1, PageTokens.Decode(pageToken), cancellationToken);
        return Page<Namespace>.Of(read, size, n => n.Config.Name);
    }

    /// <summary>
    /// Replaces the namespace's config when its stored version is <paramref name="expectedVersion"/>; the backend
    /// cannot change. The new config is checked and prepared before the namespace is known to exist, as a create's is.
    /// </summary>
    public async Task<Namespace> UpdateAsync(NamespaceConfig? config, long expectedVersion, CancellationToken cancellationToken)
    {
        if (expectedVersion <= 0)
        {
            throw RequestRejectedException.Invalid("expected_version is required: the version the change was based on (GetNamespace answers it)");
        }

        var current = config is { Name.Length: > 0 and <= RequestLimits.MaxNamespaceLength } named ? await _store.GetAsync(named.Name, cancellationToken) : null;
        await _admission.AdmitAsync(config, current?.Config, cancellationToken);
        if (current is null)
        {
            throw new RequestRejectedException(NamespaceLookup.NotRegistered(config!.Name));
        }

        if (NamespaceSettings.From(current).Backend != NamespaceSettings.From(new Namespace { Config = config }).Backend)
        {
            throw RequestRejectedException.Invalid("config.backend cannot change; create a new namespace on the other backend");
        }

        var updated = await _store.UpdateAsync(config!, expectedVersion, _time.GetUtcNow(), cancellationToken);
        _registry.Apply(updated);
        return updated;
    }

    /// <summary>
    /// Unregisters the namespace and drops what its backend holds for it. Unless <paramref name="force"/>, refused
    /// (FAILED_PRECONDITION) while messages of it are not yet delivered.
    /// </summary>
    public async Task DeleteAsync(string name, bool force, CancellationToken cancellationToken)
    {
        var ns = await NamespaceLookup.ResolveAsync(_registry, name, "name", cancellationToken);
        _backends.TryGet(ns.Backend, out var backend);
        if (!force && backend is not null && await backend.CountUndeliveredAsync(ns.Name, cancellationToken) is > 0 and var pending)
        {
            throw new RequestRejectedException(StatusCode.FailedPrecondition, $"namespace '{ns.Name}' has {pending} messages not yet delivered; wait, or delete with force");
        }

        if (!await _store.DeleteAsync(ns.Name, cancellationToken))
        {
            throw new RequestRejectedException(StatusCode.NotFound, $"namespace '{ns.Name}' is not registered");
        }

        _registry.Remove(ns.Name);
        if (backend is not null)
        {
            await backend.DropNamespaceAsync(ns.Name, cancellationToken);
        }
    }

    /// <summary>
    /// Answers once this instance has stopped delivering the namespace (deliveries under way finished), or after
    /// <see cref="PauseSettleLimit"/> at most, the pause recorded either way; other instances stop at their next refresh.
    /// </summary>
    public async Task<Namespace> PauseAsync(string name, CancellationToken cancellationToken)
    {
        var paused = await SetStateAsync(name, NamespaceState.Paused, cancellationToken);
        try
        {
            await _consumers.ReconciledAsync(cancellationToken).WaitAsync(PauseSettleLimit, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // A slow delivery or backend: the consumers stop as soon as they get there.
        }

        return paused;
    }

    /// <summary>Makes the namespace ACTIVE again; its consumers start at once here, elsewhere at the next refresh.</summary>
    public Task<Namespace> ResumeAsync(string name, CancellationToken cancellationToken) =>
        SetStateAsync(name, NamespaceState.Active, cancellationToken);

    private async Task<Namespace> SetStateAsync(string name, NamespaceState state, CancellationToken cancellationToken)
    {
        NamespaceLookup.RequireName(name, "name");
        var changed = await _store.SetStateAsync(name, state, _time.GetUtcNow(), cancellationToken);
        _registry.Apply(changed);
        return changed;
    }
}
