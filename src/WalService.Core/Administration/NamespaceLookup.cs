using Grpc.Core;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Runtime;
using WalService.Core.Validation;

namespace WalService.Core.Administration;

/// <summary>
/// The look-ups every request that names a namespace starts with (writes, status reads, administration), and the
/// one wording of their refusals.
/// </summary>
internal static class NamespaceLookup
{
    /// <summary>NOT_FOUND: no namespace of that name is registered.</summary>
    public static WriteRejection NotRegistered(string name) =>
        new(StatusCode.NotFound, $"namespace {ClientText.Quote(name)} is not registered");

    /// <summary>UNIMPLEMENTED: the namespace is registered on a backend this server was built without.</summary>
    public static WriteRejection BackendNotProvided(NamespaceSettings ns) =>
        new(StatusCode.Unimplemented, $"namespace '{ns.Name}' uses the {ns.Backend.ToString().ToLowerInvariant()} backend, which this server does not provide yet");

    /// <summary>The namespace <paramref name="name"/> (the request's <paramref name="field"/>) as this instance knows it.</summary>
    /// <exception cref="RequestRejectedException">INVALID_ARGUMENT for a missing or over-long name; NOT_FOUND for one not registered.</exception>
    public static async Task<NamespaceSettings> ResolveAsync(NamespaceRegistry registry, string name, string field, CancellationToken cancellationToken)
    {
        RequireName(name, field);
        return await registry.GetAsync(name, cancellationToken)
            ?? throw new RequestRejectedException(NotRegistered(name));
    }

    /// <summary>INVALID_ARGUMENT naming <paramref name="field"/> unless <paramref name="name"/> is given and no longer than a namespace name can be.</summary>
    public static void RequireName(string name, string field)
    {
        if (RequestLimits.Namespace(name, field) is { } invalid)
        {
            throw RequestRejectedException.Invalid(invalid);
        }
    }

    /// <summary>The namespace's backend; UNIMPLEMENTED (<see cref="BackendNotProvided"/>) when this server lacks it.</summary>
    public static ILogBackend Backend(BackendCatalog backends, NamespaceSettings ns) =>
        backends.TryGet(ns.Backend, out var backend)
            ? backend
            : throw new RequestRejectedException(BackendNotProvided(ns));
}
