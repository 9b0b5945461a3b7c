using System.Globalization;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using WalService.Api.V1;
using WalService.Core.FrontDoor;
using WalService.Core.Validation;
using WalService.Server.Security;

namespace WalService.Server.Grpc;

/// <summary>
/// wal.v1.WriteAheadLog: a thin adapter over <see cref="WriteCoordinator"/> and <see cref="MessageStatusReader"/>.
/// Writes and status reads are judged by the namespace's <c>allowed_clients</c>; admins may read any status.
/// </summary>
[Authorize(Policy = WalPolicies.Client)]
internal sealed class WriteAheadLogService(
    WriteCoordinator coordinator,
    MessageStatusReader statuses,
    AuthSettings auth) : WriteAheadLog.WriteAheadLogBase
{
    /// <summary>
    /// The metadata a forwarding WalService's <c>wal</c> target sends with the id the message has there, so that its
    /// last-writer-wins ties break alike in every region.
    /// </summary>
    public const string OriginMessageIdHeader = "wal-origin-message-id";

    public override async Task<WriteToLogResponse> WriteToLog(WriteToLogRequest request, ServerCallContext context)
    {
        var outcome = await coordinator.WriteAsync(request, ClientIdentity.Of(context), context.CancellationToken, OriginMessageId(context));
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

    private static string? OriginMessageId(ServerCallContext context)
    {
        if (context.RequestHeaders.GetValue(OriginMessageIdHeader) is not { } origin)
        {
            return null;
        }

        if (RequestLimits.MessageId(origin, OriginMessageIdHeader + " metadata") is { } invalid)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, invalid));
        }

        return origin.Any(char.IsControl)
            ? throw new RpcException(new Status(StatusCode.InvalidArgument, OriginMessageIdHeader + " metadata must not hold control characters"))
            : origin;
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

    public override Task<MessageStatus> GetMessageStatus(GetMessageStatusRequest request, ServerCallContext context)
    {
        var clientId = ClientIdentity.Of(context);
        return statuses.GetAsync(request.Namespace, request.MessageId, clientId, auth.IsAdmin(clientId), context.CancellationToken);
    }
}
