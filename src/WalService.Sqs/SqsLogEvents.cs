using Microsoft.Extensions.Logging;

namespace WalService.Sqs;

/// <summary>Log events of the SQS backend (event ids 3100-3199).</summary>
internal static partial class SqsLogEvents
{
    [LoggerMessage(3100, LogLevel.Warning, "Receiving from queue {Queue} of namespace {Namespace} failed; trying again in a second")]
    public static partial void ReceiveFailed(ILogger logger, Exception exception, string queue, string @namespace);

    [LoggerMessage(3107, LogLevel.Warning, "Receiving from queue {Queue} of namespace {Namespace} was refused ({ErrorCode}: {Reason}); trying again in a second")]
    public static partial void ReceiveRefused(ILogger logger, string queue, string @namespace, string errorCode, string reason);

    [LoggerMessage(3101, LogLevel.Warning, "Message {SqsMessageId} in queue {Queue} carries no readable wal-meta attribute and is left in the queue: {Reason}")]
    public static partial void Unreadable(ILogger logger, string sqsMessageId, string queue, string reason);

    [LoggerMessage(3102, LogLevel.Information, "Created queue {Queue}")]
    public static partial void QueueCreated(ILogger logger, string queue);

    [LoggerMessage(3104, LogLevel.Information, "Skipped {Count} message(s) of namespace {Namespace} received again after they were finished")]
    public static partial void SkippedFinished(ILogger logger, int count, string @namespace);

    [LoggerMessage(3106, LogLevel.Warning, "Could not {Action} {Count} message(s) of queue {Queue}; SQS hands them out again after their visibility timeout")]
    public static partial void CallFailed(ILogger logger, Exception exception, string action, int count, string queue);

    [LoggerMessage(3108, LogLevel.Information, "Dead-letter queue {Queue}: deleted {Deleted} copy(ies) no longer archived, archived {Archived} message(s) SQS moved there")]
    public static partial void DeadLetterQueueReconciled(ILogger logger, string queue, int deleted, int archived);

    [LoggerMessage(3109, LogLevel.Warning, "Bringing dead-letter queue {Queue} in step with the archive failed; the next listing, redrive or purge tries again")]
    public static partial void ReconcileFailed(ILogger logger, Exception exception, string queue);
}
