using Grpc.Core;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Runtime;

namespace WalService.Server.Grpc;

/// <summary>Look-ups every RPC that names a namespace starts with, answering with the statuses of API.md.</summary>
internal static class Namespaces
{
    public static async Task<NamespaceSettings> ResolveAsync(NamespaceRegistry registry, string name, string field, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field} is required"));
        }

        return await registry.GetAsync(name, cancellationToken)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"namespace '{name}' is not registered"));
    }

    public static ILogBackend Backend(BackendCatalog backends, NamespaceSettings ns) =>
        backends.TryGet(ns.Backend, out var backend)
            ? backend
            : throw new RpcException(new Status(StatusCode.Unimplemented, $"namespace '{ns.Name}' uses the {ns.Backend.ToString().ToLowerInvariant()} backend, which this server does not provide yet"));
}
