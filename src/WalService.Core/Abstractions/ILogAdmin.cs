using WalService.Api.V1;
using WalService.Core.Model;

namespace WalService.Core.Abstractions;

/// <summary>What a log backend does when a namespace is created, changed or deleted.</summary>
public interface ILogAdmin
{
    /// <summary>
    /// Problems with the namespace's backend settings on this server (e.g. an unknown cluster), each naming its field;
    /// on an update, <paramref name="current"/> is the stored config, for settings that cannot change.
    /// </summary>
    IEnumerable<string> Validate(NamespaceConfig config, NamespaceConfig? current);

    /// <summary>Prepares what the namespace needs before its first write (topics, queues).</summary>
    Task PrepareAsync(NamespaceSettings ns, CancellationToken cancellationToken);

    /// <summary>Messages of the namespace not yet applied nor dead-lettered.</summary>
    Task<long> CountUndeliveredAsync(string ns, CancellationToken cancellationToken);

    /// <summary>Removes everything the backend holds for the namespace, and stops consuming it here.</summary>
    Task DropNamespaceAsync(string ns, CancellationToken cancellationToken);
}
