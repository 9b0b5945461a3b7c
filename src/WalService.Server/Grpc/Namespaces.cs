using Grpc.Core;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Runtime;
using WalService.Core.Validation;

namespace WalService.Server.Grpc;

/// <summary>Look-ups every RPC that names a namespace starts with, answering with the statuses of API.md.</summary>
internal static class Namespaces
{
    public static async Task<NamespaceSettings> ResolveAsync(NamespaceRegistry registry, string name, string field, CancellationToken cancellationToken)
    {
        RequireName(name, field);
        return await registry.GetAsync(name, cancellationToken)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"namespace {ClientText.Quote(name)} is not registered"));
    }

    /// <summary>INVALID_ARGUMENT naming <paramref name="field"/> unless <paramref name="name"/> is given and no longer than a namespace name can be.</summary>
    public static void RequireName(string name, string field)
    {
        if (RequestLimits.Namespace(name, field) is { } invalid)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, invalid));
        }
    }

    public static ILogBackend Backend(BackendCatalog backends, NamespaceSettings ns) =>
        backends.TryGet(ns.Backend, out var backend)
            ? backend
            : throw new RpcException(new Status(StatusCode.Unimplemented, $"namespace '{ns.Name}' uses the {ns.Backend.ToString().ToLowerInvariant()} backend, which this server does not provide yet"));
}
