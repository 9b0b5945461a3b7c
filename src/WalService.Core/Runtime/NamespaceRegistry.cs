using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;

namespace WalService.Core.Runtime;

/// <summary>
/// This instance's view of the control plane: every namespace with its defaults resolved. It is refreshed from the
/// store every <see cref="WalOptions.NamespaceRefreshInterval"/> (so a change made through another instance arrives
/// within that interval) and updated at once for changes made through this one. <see cref="Changed"/> tells the
/// consumers. Each namespace is resolved with its backend's <see cref="BackendTraits"/>.
/// </summary>
public sealed class NamespaceRegistry(IControlPlaneStore store, IOptions<WalOptions> options, IEnumerable<BackendTraits> traits)
{
    private readonly ConcurrentDictionary<string, NamespaceSettings> _byName = new(StringComparer.Ordinal);
    private readonly FrozenDictionary<BackendKind, BackendTraits> _traits = traits.ToFrozenDictionary(t => t.Backend);

    /// <summary>Raised after a namespace was added, changed or removed.</summary>
    public event Action? Changed;

    public TimeSpan RefreshInterval => options.Value.NamespaceRefreshInterval;

    public ICollection<NamespaceSettings> All => _byName.Values;

    /// <summary>The namespace from the cache, or from the store when this instance has not seen it yet.</summary>
    public async ValueTask<NamespaceSettings?> GetAsync(string name, CancellationToken cancellationToken)
    {
        if (_byName.TryGetValue(name, out var cached))
        {
            return cached;
        }

        var stored = await store.GetAsync(name, cancellationToken);
        return stored is null ? null : Apply(stored);
    }

    public NamespaceSettings Apply(Namespace ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var settings = Resolve(ns);
        var changed = true;
        _byName.AddOrUpdate(
            settings.Name,
            settings,
            (_, old) =>
            {
                if (!Supersedes(ns, old))
                {
                    changed = false;
                    return old;
                }

                return settings;
            });
        if (changed)
        {
            Changed?.Invoke();
        }

        return _byName[settings.Name];
    }

    public void Remove(string name)
    {
        if (_byName.TryRemove(name, out _))
        {
            Changed?.Invoke();
        }
    }

    /// <summary>Reads every namespace from the store and brings the cache in line with it.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var changed = false;
        string? after = null;
        while (true)
        {
            var page = await store.ListAsync(500, after, cancellationToken);
            foreach (var ns in page)
            {
                seen.Add(ns.Config.Name);
                if (!_byName.TryGetValue(ns.Config.Name, out var old) || Supersedes(ns, old))
                {
                    _byName[ns.Config.Name] = Resolve(ns);
                    changed = true;
                }
            }

            if (page.Count < 500)
            {
                break;
            }

            after = page[^1].Config.Name;
        }

        foreach (var name in _byName.Keys.Where(n => !seen.Contains(n)).ToList())
        {
            changed |= _byName.TryRemove(name, out _);
        }

        if (changed)
        {
            Changed?.Invoke();
        }
    }

    private NamespaceSettings Resolve(Namespace ns) =>
        NamespaceSettings.From(ns, _traits.GetValueOrDefault(NamespaceSettings.BackendOf(ns.Config)));

    /// <summary>
    /// Whether a namespace read from the store replaces the cached one: a later version of it, or a namespace of the
    /// same name created again after a delete. An older version (a refresh that read the store just before an update
    /// this instance applied) does not, so a change does not flap back for a refresh interval.
    /// </summary>
    private static bool Supersedes(Namespace stored, NamespaceSettings cached) =>
        stored.Version > cached.Version || !Equals(stored.CreatedAt, cached.Source.CreatedAt);
}
