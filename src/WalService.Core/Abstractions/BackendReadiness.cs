namespace WalService.Core.Abstractions;

/// <summary>How one namespace stands on its backend, in words for an operator.</summary>
/// <param name="Ready">Whether its writes and deliveries can go ahead.</param>
/// <param name="Detail">What an operator should know, e.g. "consuming 2 of 8 partitions here" or what is missing.</param>
public readonly record struct NamespaceReadiness(bool Ready, string Detail);

/// <summary>A backend's answer to <c>/readyz</c>.</summary>
/// <param name="Ready">The backend answers and every namespace in <paramref name="Namespaces"/> is ready.</param>
/// <param name="Namespaces">Namespaces the backend reports on one by one (none for a backend that has nothing to add per namespace).</param>
public sealed record BackendReadiness(bool Ready, IReadOnlyDictionary<string, NamespaceReadiness> Namespaces)
{
    public static BackendReadiness Answers(bool ready) => new(ready, new Dictionary<string, NamespaceReadiness>());
}
