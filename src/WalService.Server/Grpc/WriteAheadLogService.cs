using System.Globalization;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using WalService.Api.V1;
using WalService.Core.FrontDoor;
using WalService.Core.Runtime;
using WalService.Core.Validation;
using WalService.Server.Security;

namespace WalService.Server.Grpc;

/// <summary>
/// wal.v1.WriteAheadLog: a thin adapter over <see cref="WriteCoordinator"/>. Writes and status reads are judged by
/// the namespace's <c>allowed_clients</c>; admins may read any status.
/// </summary>
[Authorize(Policy = WalPolicies.Client)]
internal sealed class WriteAheadLogService(
    WriteCoordinator coordinator,
    NamespaceRegistry registry,
    BackendCatalog backends,
    AuthSettings auth,
    TimeProvider time) : WriteAheadLog.WriteAheadLogBase
{
    public override async Task<WriteToLogResponse> WriteToLog(WriteToLogRequest request, ServerCallContext context)
    {
        var outcome = await coordinator.WriteAsync(request, ClientIdentity.Of(context), context.CancellationToken);
        var response = outcome.Response;
        if (response.Code != 0)
        {
            var trailers = new Metadata();
            if (outcome.RetryAfter is { } wait)
            {
                trailers.Add("retry-after-ms", Math.Ceiling(wait.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
            }

            throw new RpcException(new Status((StatusCode)response.Code, response.Message), trailers);
        }

        return response;
    }

    public override async Task<WriteToLogBatchResponse> WriteToLogBatch(WriteToLogBatchRequest request, ServerCallContext context)
    {
        if (coordinator.ValidateBatch(request) is { } rejection)
        {
            throw new RpcException(new Status(rejection.Code, rejection.Message));
        }

        var outcomes = await coordinator.WriteManyAsync(request.Entries, ClientIdentity.Of(context), context.CancellationToken);
        var response = new WriteToLogBatchResponse();
        response.Results.Add(outcomes.Select(o => o.Response));
        return response;
    }

    public override async Task<MessageStatus> GetMessageStatus(GetMessageStatusRequest request, ServerCallContext context)
    {
        Namespaces.RequireName(request.Namespace, "namespace");
        if (RequestLimits.MessageId(request.MessageId, "message_id") is { } invalidId)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, invalidId));
        }

        var ns = await Namespaces.ResolveAsync(registry, request.Namespace, "namespace", context.CancellationToken);
        var clientId = ClientIdentity.Of(context);
        if (!auth.IsAdmin(clientId) && ClientAccess.Check(ns, clientId) is { } refused)
        {
            throw new RpcException(new Status(refused.Code, refused.Message));
        }

        if (!ns.TrackStatus)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"namespace '{ns.Name}' does not keep message status (track_status is false)"));
        }

        var now = time.GetUtcNow();
        var status = await Namespaces.Backend(backends, ns).GetStatusAsync(ns.Name, request.MessageId, now, context.CancellationToken);
        if (status is null || (status.State == MessageState.Applied && status.AppliedAt.ToDateTimeOffset() + ns.DedupWindow < now))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"message_id {ClientText.Quote(request.MessageId)} is unknown in namespace '{ns.Name}' or older than its dedup_window"));
        }

        return status;
    }
}
