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
        Rejections.AsRpcAsync(() => administrator.CreateAsync(request.Config, context.CancellationToken));

    public override Task<Namespace> GetNamespace(GetNamespaceRequest request, ServerCallContext context) =>
        Rejections.AsRpcAsync(() => administrator.GetAsync(request.Name, context.CancellationToken));

    public override Task<ListNamespacesResponse> ListNamespaces(ListNamespacesRequest request, ServerCallContext context) =>
        Rejections.AsRpcAsync(async () =>
        {
            var page = await administrator.ListAsync(request.PageSize, request.PageToken, context.CancellationToken);
            var response = new ListNamespacesResponse { NextPageToken = page.NextPageToken };
            response.Namespaces.Add(page.Items);
            return response;
        });

    public override Task<Namespace> UpdateNamespace(UpdateNamespaceRequest request, ServerCallContext context) =>
        Rejections.AsRpcAsync(() => administrator.UpdateAsync(request.Config, request.ExpectedVersion, context.CancellationToken));

    public override Task<Empty> DeleteNamespace(DeleteNamespaceRequest request, ServerCallContext context) =>
        Rejections.AsRpcAsync(async () =>
        {
            await administrator.DeleteAsync(request.Name, request.Force, context.CancellationToken);
            return new Empty();
        });

    public override Task<Namespace> PauseNamespace(PauseNamespaceRequest request, ServerCallContext context) =>
        Rejections.AsRpcAsync(() => administrator.PauseAsync(request.Name, context.CancellationToken));

    public override Task<Namespace> ResumeNamespace(ResumeNamespaceRequest request, ServerCallContext context) =>
        Rejections.AsRpcAsync(() => administrator.ResumeAsync(request.Name, context.CancellationToken));

    public override Task<ListDeadLettersResponse> ListDeadLetters(ListDeadLettersRequest request, ServerCallContext context) =>
        Rejections.AsRpcAsync(async () =>
        {
            var page = await administrator.ListDeadLettersAsync(request.Namespace, request.PageSize, request.PageToken, context.CancellationToken);
            var response = new ListDeadLettersResponse { NextPageToken = page.NextPageToken };
            response.DeadLetters.Add(page.Items);
            return response;
        });

    public override Task<RedriveDeadLettersResponse> RedriveDeadLetters(RedriveDeadLettersRequest request, ServerCallContext context) =>
        Rejections.AsRpcAsync(async () => new RedriveDeadLettersResponse
        {
            Redriven = await administrator.RedriveDeadLettersAsync(request.Namespace, request.MessageIds, request.MaxPerSecond, context.CancellationToken),
        });

    public override Task<PurgeDeadLettersResponse> PurgeDeadLetters(PurgeDeadLettersRequest request, ServerCallContext context) =>
        Rejections.AsRpcAsync(async () => new PurgeDeadLettersResponse
        {
            Purged = await administrator.PurgeDeadLettersAsync(request.Namespace, request.MessageIds, context.CancellationToken),
        });
}
