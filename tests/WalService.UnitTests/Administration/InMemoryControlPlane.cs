using WalService.Api.V1;
using WalService.Core.Abstractions;

namespace WalService.UnitTests.Administration;

/// <summary>A control-plane store in a sorted dictionary, keeping the store contract's versions and refusals.</summary>
internal sealed class InMemoryControlPlane : IControlPlaneStore
{
    private readonly SortedDictionary<string, Namespace> _byName = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names
    {
        get
        {
            lock (_byName)
            {
                return [.. _byName.Keys];
            }
        }
    }

    public Task<Namespace> CreateAsync(NamespaceConfig config, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_byName)
        {
            if (_byName.ContainsKey(config.Name))
            {
                throw new ControlPlaneException(ControlPlaneError.AlreadyExists, $"namespace '{config.Name}' already exists");
            }

            var stamp = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(now);
            var created = new Namespace { Config = config.Clone(), Version = 1, State = NamespaceState.Active, CreatedAt = stamp, UpdatedAt = stamp };
            _byName[config.Name] = created;
            return Task.FromResult(created.Clone());
        }
    }

    public Task<Namespace?> GetAsync(string name, CancellationToken cancellationToken)
    {
        lock (_byName)
        {
            return Task.FromResult(_byName.TryGetValue(name, out var ns) ? ns.Clone() : null);
        }
    }

    public Task<IReadOnlyList<Namespace>> ListAsync(int pageSize, string? afterName, CancellationToken cancellationToken)
    {
        lock (_byName)
        {
            IReadOnlyList<Namespace> page = [.. _byName.Values
                .Where(n => afterName is null || string.CompareOrdinal(n.Config.Name, afterName) > 0)
                .Take(pageSize)
                .Select(n => n.Clone())];
            return Task.FromResult(page);
        }
    }

    public Task<Namespace> UpdateAsync(NamespaceConfig config, long expectedVersion, DateTimeOffset now, CancellationToken cancellationToken) =>
        Change(config.Name, expectedVersion, now, ns => ns.Config = config.Clone());

    public Task<Namespace> SetStateAsync(string name, NamespaceState state, DateTimeOffset now, CancellationToken cancellationToken) =>
        Change(name, null, now, ns => ns.State = state);

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        lock (_byName)
        {
            return Task.FromResult(_byName.Remove(name));
        }
    }

    public Task<bool> IsReadyAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    private Task<Namespace> Change(string name, long? expectedVersion, DateTimeOffset now, Action<Namespace> change)
    {
        lock (_byName)
        {
            if (!_byName.TryGetValue(name, out var ns))
            {
                throw new ControlPlaneException(ControlPlaneError.NotFound, $"namespace '{name}' is not registered");
            }

            if (expectedVersion is { } expected && expected != ns.Version)
            {
                throw new ControlPlaneException(ControlPlaneError.VersionMismatch, $"namespace '{name}' is at version {ns.Version}, not {expected}");
            }

            change(ns);
            ns.Version++;
            ns.UpdatedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(now);
            return Task.FromResult(ns.Clone());
        }
    }
}
