using Microsoft.Extensions.Logging;

namespace WalService.Core.Telemetry;

/// <summary>Log events of the consumer runtime (event ids 1000-1099).</summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(1000, LogLevel.Information, "Consumer for namespace {Namespace} started (concurrency {Concurrency}, batch {BatchSize})")]
    public static partial void ConsumerStarted(ILogger logger, string @namespace, int concurrency, int batchSize);

    [LoggerMessage(1001, LogLevel.Information, "Consumer for namespace {Namespace} stopped")]
    public static partial void ConsumerStopped(ILogger logger, string @namespace);

    [LoggerMessage(1002, LogLevel.Warning, "Delivery of {MessageId} in {Namespace} failed on attempt {Attempt}; retry at {RetryAt:O}: {Error}")]
    public static partial void DeliveryRetry(ILogger logger, string messageId, string @namespace, int attempt, DateTimeOffset retryAt, string error);

    [LoggerMessage(1003, LogLevel.Warning, "Message {MessageId} in {Namespace} dead-lettered after {Attempt} attempt(s): {Error}")]
    public static partial void DeadLettered(ILogger logger, string messageId, string @namespace, int attempt, string error);

    [LoggerMessage(1004, LogLevel.Error, "Consumer loop of namespace {Namespace} failed; restarting it shortly")]
    public static partial void ConsumerLoopFailed(ILogger logger, Exception exception, string @namespace);

    [LoggerMessage(1005, LogLevel.Error, "Target handler threw for {MessageId} in {Namespace}; the delivery counts as a retry")]
    public static partial void TargetThrew(ILogger logger, Exception exception, string messageId, string @namespace);

    [LoggerMessage(1006, LogLevel.Warning, "Refreshing namespaces from the control plane failed; serving the cached configuration")]
    public static partial void RefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(1007, LogLevel.Warning, "Reading the backlog of namespace {Namespace} failed")]
    public static partial void BacklogFailed(ILogger logger, Exception exception, string @namespace);

    [LoggerMessage(1008, LogLevel.Error, "Recording the delivery verdict of {MessageId} in {Namespace} failed; it will be delivered again when its lease runs out")]
    public static partial void VerdictFailed(ILogger logger, Exception exception, string messageId, string @namespace);

    [LoggerMessage(1009, LogLevel.Warning, "Recording {Count} message statuses failed (try {Attempt}); trying again")]
    public static partial void LedgerRecordFailed(ILogger logger, Exception exception, int count, int attempt);

    [LoggerMessage(1010, LogLevel.Error, "Gave up recording {Count} message statuses; GetMessageStatus may show an older state for them")]
    public static partial void LedgerUpdatesDropped(ILogger logger, Exception exception, int count);

    [LoggerMessage(1011, LogLevel.Warning, "Could not ask the ledger which messages of namespace {Namespace} are finished; delivering them (at least once)")]
    public static partial void FinishedUnknown(ILogger logger, Exception exception, string @namespace);

    [LoggerMessage(1012, LogLevel.Warning, "Recording the status of {Count} written message(s) failed; it is recorded in the background")]
    public static partial void StatusDeferred(ILogger logger, Exception exception, int count);

    [LoggerMessage(1013, LogLevel.Error, "The ledger writer's queue holds {Limit} statuses; {Count} more were not queued, so GetMessageStatus may show an older state for them")]
    public static partial void LedgerQueueFull(ILogger logger, int count, int limit);

    [LoggerMessage(1014, LogLevel.Warning, "The completion marker of transaction {MessageId} in {Namespace} was not appended ({Error}); a sweep appends it")]
    public static partial void MarkerNotAppended(ILogger logger, string messageId, string @namespace, string? error);

    [LoggerMessage(1015, LogLevel.Warning, "Appending {Count} completion marker(s) of namespace {Namespace} left pending by a failed append or a crash")]
    public static partial void MarkersRecovered(ILogger logger, int count, string @namespace);
}
