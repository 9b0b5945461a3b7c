using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Runtime;
using WalService.Core.Validation;
using WalService.Server.Security;

namespace WalService.Server.Grpc;

/// <summary>
/// wal.v1.NamespaceAdmin. Changes go to the control-plane store and straight into this instance's registry, so its
/// consumers see them at once; other instances see them at their next refresh.
/// </summary>
[Authorize(Policy = WalPolicies.Admin)]
internal sealed class NamespaceAdminService(
    IControlPlaneStore store,
    NamespaceRegistry registry,
    BackendCatalog backends,
    TargetCatalog targets,
    WorkSignals signals,
    ConsumerHost consumers,
    TimeProvider time) : NamespaceAdmin.NamespaceAdminBase
{
    /// <summary>The longest a pause waits for this instance's deliveries of the namespace to end: three default HTTP timeouts.</summary>
    private static readonly TimeSpan PauseSettleLimit = TimeSpan.FromSeconds(30);

    public override async Task<Namespace> CreateNamespace(CreateNamespaceRequest request, ServerCallContext context)
    {
        await ValidateAsync(request.Config, null, context.CancellationToken);
        var created = await store.CreateAsync(request.Config, time.GetUtcNow(), context.CancellationToken);
        registry.Apply(created);
        return created;
    }

    public override async Task<Namespace> GetNamespace(GetNamespaceRequest request, ServerCallContext context)
    {
        Namespaces.RequireName(request.Name, "name");
        return await store.GetAsync(request.Name, context.CancellationToken)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"namespace {ClientText.Quote(request.Name)} is not registered"));
    }

    public override async Task<ListNamespacesResponse> ListNamespaces(ListNamespacesRequest request, ServerCallContext context)
    {
        var size = PageTokens.Size(request.PageSize);
        var page = await store.ListAsync(size + 1, PageTokens.Decode(request.PageToken), context.CancellationToken);
        var response = new ListNamespacesResponse();
        response.Namespaces.Add(page.Take(size));
        if (page.Count > size)
        {
            response.NextPageToken = PageTokens.Encode(page[size - 1].Config.Name);
        }

        return response;
    }

    public override async Task<Namespace> UpdateNamespace(UpdateNamespaceRequest request, ServerCallContext context)
    {
        if (request.ExpectedVersion <= 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "expected_version is required: the version the change was based on (GetNamespace answers it)"));
        }

        var current = request.Config is { Name.Length: > 0 and <= RequestLimits.MaxNamespaceLength } named ? await store.GetAsync(named.Name, context.CancellationToken) : null;
        await ValidateAsync(request.Config, current?.Config, context.CancellationToken);
        if (current is null)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"namespace {ClientText.Quote(request.Config.Name)} is not registered"));
        }

        if (NamespaceSettings.From(current).Backend != NamespaceSettings.From(new Namespace { Config = request.Config }).Backend)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "config.backend cannot change; create a new namespace on the other backend"));
        }

        var updated = await store.UpdateAsync(request.Config, request.ExpectedVersion, time.GetUtcNow(), context.CancellationToken);
        registry.Apply(updated);
        return updated;
    }

    public override async Task<Empty> DeleteNamespace(DeleteNamespaceRequest request, ServerCallContext context)
    {
        var ns = await Namespaces.ResolveAsync(registry, request.Name, "name", context.CancellationToken);
        backends.TryGet(ns.Backend, out var backend);
        if (!request.Force && backend is not null && await backend.CountUndeliveredAsync(ns.Name, context.CancellationToken) is > 0 and var pending)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"namespace '{ns.Name}' has {pending} messages not yet delivered; wait, or delete with force"));
        }

        if (!await store.DeleteAsync(ns.Name, context.CancellationToken))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"namespace '{ns.Name}' is not registered"));
        }

        registry.Remove(ns.Name);
        if (backend is not null)
        {
            await backend.DropNamespaceAsync(ns.Name, context.CancellationToken);
        }

        return new Empty();
    }

    /// <summary>
    /// Answers once this instance has stopped delivering the namespace (deliveries under way finished), or after
    /// <see cref="PauseSettleLimit"/> at most, the pause recorded either way; other instances stop at their next refresh.
    /// </summary>
    public override async Task<Namespace> PauseNamespace(PauseNamespaceRequest request, ServerCallContext context)
    {
        var paused = await SetStateAsync(request.Name, NamespaceState.Paused, context.CancellationToken);
        try
        {
            await consumers.ReconciledAsync(context.CancellationToken).WaitAsync(PauseSettleLimit, time, context.CancellationToken);
        }
        catch (TimeoutException)
        {
            // A slow delivery or backend: the consumers stop as soon as they get there.
        }

        return paused;
    }

    public override Task<Namespace> ResumeNamespace(ResumeNamespaceRequest request, ServerCallContext context) =>
        SetStateAsync(request.Name, NamespaceState.Active, context.CancellationToken);

    public override async Task<ListDeadLettersResponse> ListDeadLetters(ListDeadLettersRequest request, ServerCallContext context)
    {
        var ns = await Namespaces.ResolveAsync(registry, request.Namespace, "namespace", context.CancellationToken);
        var size = PageTokens.Size(request.PageSize);
        var page = await Namespaces.Backend(backends, ns).ListDeadLettersAsync(ns.Name, size + 1, PageTokens.Decode(request.PageToken), context.CancellationToken);
        var response = new ListDeadLettersResponse();
        response.DeadLetters.Add(page.Take(size));
        if (page.Count > size)
        {
            response.NextPageToken = PageTokens.Encode(page[size - 1].MessageId);
        }

        return response;
    }

    public override async Task<RedriveDeadLettersResponse> RedriveDeadLetters(RedriveDeadLettersRequest request, ServerCallContext context)
    {
        RequireMessageIds(request.MessageIds);
        var ns = await Namespaces.ResolveAsync(registry, request.Namespace, "namespace", context.CancellationToken);
        if (request.MaxPerSecond < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "max_per_second must not be negative (0 = no limit)"));
        }

        var redriven = await Namespaces.Backend(backends, ns).RedriveAsync(ns.Name, request.MessageIds, request.MaxPerSecond, time.GetUtcNow(), context.CancellationToken);
        signals.Notify(ns.Name);
        return new RedriveDeadLettersResponse { Redriven = redriven };
    }

    public override async Task<PurgeDeadLettersResponse> PurgeDeadLetters(PurgeDeadLettersRequest request, ServerCallContext context)
    {
        RequireMessageIds(request.MessageIds);
        var ns = await Namespaces.ResolveAsync(registry, request.Namespace, "namespace", context.CancellationToken);
        var purged = await Namespaces.Backend(backends, ns).PurgeAsync(ns.Name, request.MessageIds, context.CancellationToken);
        return new PurgeDeadLettersResponse { Purged = purged };
    }

    private static void RequireMessageIds(IReadOnlyList<string> ids)
    {
        if (RequestLimits.MessageIds(ids, "message_ids") is { } invalid)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, invalid));
        }
    }

    private async Task<Namespace> SetStateAsync(string name, NamespaceState state, CancellationToken cancellationToken)
    {
        Namespaces.RequireName(name, "name");
        var changed = await store.SetStateAsync(name, state, time.GetUtcNow(), cancellationToken);
        registry.Apply(changed);
        return changed;
    }

    /// <summary>INVALID_ARGUMENT naming every violation; UNIMPLEMENTED for a backend or target this build lacks; then prepares the backend and the target.</summary>
    private async Task ValidateAsync(NamespaceConfig? config, NamespaceConfig? current, CancellationToken cancellationToken)
    {
        var errors = NamespaceConfigValidator.Validate(config, targets);
        if (errors.Count > 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "invalid namespace config: " + string.Join("; ", errors)));
        }

        var settings = NamespaceSettings.From(new Namespace { Config = config });
        if (!backends.TryGet(settings.Backend, out var backend))
        {
            throw new RpcException(new Status(StatusCode.Unimplemented, $"config.{settings.Backend.ToString().ToLowerInvariant()}: this backend is not available on this server yet; use embedded"));
        }

        var backendErrors = backend.Validate(config!, current).ToList();
        if (backendErrors.Count > 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "invalid namespace config: " + string.Join("; ", backendErrors)));
        }

        if (!targets.Supports(settings.Target.KindCase))
        {
            throw new RpcException(new Status(StatusCode.Unimplemented, $"config.target.{TargetCatalog.KindName(settings.Target.KindCase)}: this target kind is not available on this server yet"));
        }

        await backend.PrepareAsync(settings, cancellationToken);
        await targets.Get(settings.Target).PrepareAsync(settings.Target, cancellationToken);
    }
}
