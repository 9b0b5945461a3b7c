using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using WalService.Api.V1;
using WalService.Core.Administration;
using WalService.Server.Security;

namespace WalService.Server.Grpc;

/// <summary>wal.v1.NamespaceAdmin: a thin adapter over <see cref="NamespaceAdministrator"/>.</summary>
[Authorize(Policy = WalPolicies.Admin)]
internal sealed class NamespaceAdminService(NamespaceAdministrator administrator) : NamespaceAdmin.NamespaceAdminBase
{
    public override Task<Namespace> CreateNamespace(CreateNamespaceRequest request, ServerCallContext context) =>
        administrator.CreateAsync(request.Config, context.CancellationToken);

    public override Task<Namespace> GetNamespace(GetNamespaceRequest request, ServerCallContext context) =>
        administrator.GetAsync(request.Name, context.CancellationToken);

    public override async Task<ListNamespacesResponse> ListNamespaces(ListNamespacesRequest request, ServerCallContext context)
    {
        var page = await administrator.ListAsync(request.PageSize, request.PageToken, context.CancellationToken);
        var response = new ListNamespacesResponse { NextPageToken = page.NextPageToken };
        response.Namespaces.Add(page.Items);
        return response;
    }

    public override Task<Namespace> UpdateNamespace(UpdateNamespaceRequest request, ServerCallContext context) =>
        administrator.UpdateAsync(request.Config, request.ExpectedVersion, context.CancellationToken);

    public override async Task<Empty> DeleteNamespace(DeleteNamespaceRequest request, ServerCallContext context)
    {
        await administrator.DeleteAsync(request.Name, request.Force, context.CancellationToken);
        return new Empty();
    }

    public override Task<Namespace> PauseNamespace(PauseNamespaceRequest request, ServerCallContext context) =>
        administrator.PauseAsync(request.Name, context.CancellationToken);

    public override Task<Namespace> ResumeNamespace(ResumeNamespaceRequest request, ServerCallContext context) =>
        administrator.ResumeAsync(request.Name, context.CancellationToken);

    public override async Task<ListDeadLettersResponse> ListDeadLetters(ListDeadLettersRequest request, ServerCallContext context)
    {
        var page = await administrator.ListDeadLettersAsync(request.Namespace, request.PageSize, request.PageToken, context.CancellationToken);
        var response = new ListDeadLettersResponse { NextPageToken = page.NextPageToken };
        response.DeadLetters.Add(page.Items);
        return response;
    }

    public override async Task<RedriveDeadLettersResponse> RedriveDeadLetters(RedriveDeadLettersRequest request, ServerCallContext context) =>
        new RedriveDeadLettersResponse
        {
            Redriven = await administrator.RedriveDeadLettersAsync(request.Namespace, request.MessageIds, request.MaxPerSecond, request.Region, context.CancellationToken),
        };

    public override async Task<PurgeDeadLettersResponse> PurgeDeadLetters(PurgeDeadLettersRequest request, ServerCallContext context) =>
        new PurgeDeadLettersResponse
        {
            Purged = await administrator.PurgeDeadLettersAsync(request.Namespace, request.MessageIds, request.Region, context.CancellationToken),
        };
}
