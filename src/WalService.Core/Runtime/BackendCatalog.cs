using System.Collections.Frozen;
using WalService.Core.Abstractions;
using WalService.Core.Model;

namespace WalService.Core.Runtime;

/// <summary>The log backends this server was built with, one per <see cref="BackendKind"/>.</summary>
public sealed class BackendCatalog(IEnumerable<ILogBackend> backends)
{
    private readonly FrozenDictionary<BackendKind, ILogBackend> _byKind = backends.ToFrozenDictionary(b => b.Kind);

    public IEnumerable<ILogBackend> All => _byKind.Values;

    public bool TryGet(BackendKind kind, out ILogBackend backend) => _byKind.TryGetValue(kind, out backend!);

    public ILogBackend Get(BackendKind kind) =>
        _byKind.TryGetValue(kind, out var backend)
            ? backend
            : throw new NotSupportedException($"backend '{kind.ToString().ToLowerInvariant()}' is not available on this server");
}
