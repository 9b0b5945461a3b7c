using WalService.Api.V1;

namespace WalService.Core.Abstractions;

/// <summary>
/// Where namespaces are registered. Every change adds 1 to the namespace's version; a store throws
/// <see cref="ControlPlaneException"/> for a missing or taken name and for a stale expected version.
/// </summary>
public interface IControlPlaneStore
{
    /// <summary>Creates a namespace at version 1, state ACTIVE.</summary>
    Task<Namespace> CreateAsync(NamespaceConfig config, DateTimeOffset now, CancellationToken cancellationToken);

    Task<Namespace?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Namespaces in name order, starting after <paramref name="afterName"/> (exclusive).</summary>
    Task<IReadOnlyList<Namespace>> ListAsync(int pageSize, string? afterName, CancellationToken cancellationToken);

    /// <summary>Replaces the config when the stored version equals <paramref name="expectedVersion"/>.</summary>
    Task<Namespace> UpdateAsync(NamespaceConfig config, long expectedVersion, DateTimeOffset now, CancellationToken cancellationToken);

    Task<Namespace> SetStateAsync(string name, NamespaceState state, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Returns false when there was no such namespace.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken);

    Task<bool> IsReadyAsync(CancellationToken cancellationToken);
}
