using Microsoft.Extensions.Logging;

namespace WalService.Sqlite.Storage;

/// <summary>Log events of the embedded storage's checks and faults (event ids 4100-4199).</summary>
internal static partial class StorageLog
{
    [LoggerMessage(4100, LogLevel.Information, "{File}: quick_check found no damage ({ElapsedMs} ms)")]
    public static partial void CheckPassed(ILogger logger, string file, long elapsedMs);

    [LoggerMessage(4101, LogLevel.Critical, "{File} is damaged: {Detail}")]
    public static partial void Damaged(ILogger logger, string file, string detail);

    [LoggerMessage(4102, LogLevel.Warning, "{File} starts on damage (Wal:Storage:StartOnDamage=true): what can be read is served, /readyz reports it damaged")]
    public static partial void StartingOnDamage(ILogger logger, string file);

    [LoggerMessage(4103, LogLevel.Warning, "{WalFile} was left by a process that did not close the database ({Bytes} bytes); SQLite recovers {Commits} committed transaction(s) from it")]
    public static partial void WalFound(ILogger logger, string walFile, long bytes, int commits);

    [LoggerMessage(4104, LogLevel.Information, "{File}: {Frames} frame(s) of the recovered write-ahead log, {Checkpointed} copied into the database at start")]
    public static partial void WalCheckpointed(ILogger logger, string file, long frames, long checkpointed);

    [LoggerMessage(4105, LogLevel.Error, "{File} storage fault {Kind}: {Detail}")]
    public static partial void FaultRaised(ILogger logger, string file, string kind, string detail);

    [LoggerMessage(4106, LogLevel.Information, "{File} storage fault {Kind} is over")]
    public static partial void FaultCleared(ILogger logger, string file, string kind);

    [LoggerMessage(4107, LogLevel.Information, "{File}: the check at start is off (Wal:Storage:CheckAtStart=false)")]
    public static partial void CheckSkipped(ILogger logger, string file);

    [LoggerMessage(4110, LogLevel.Error, "Message {MessageId} (row {Seq}) in {Namespace} could not be read and was dead-lettered: {Reason}")]
    public static partial void Quarantined(ILogger logger, string messageId, long seq, string @namespace, string reason);

    [LoggerMessage(4111, LogLevel.Error, "Leasing from {Namespace} met a damaged page; leasing row by row past it: {Detail}")]
    public static partial void LeaseFellBack(ILogger logger, string @namespace, string detail);

    [LoggerMessage(4112, LogLevel.Critical, "Row {Seq} of {Namespace} sits on a damaged page and cannot be read or moved; it is skipped until the file is repaired: {Detail}")]
    public static partial void RowSkipped(ILogger logger, long seq, string @namespace, string detail);

    [LoggerMessage(4113, LogLevel.Error, "{File}: recovering leases of the last run met a damaged page; leases it held run out instead, and new message ids follow the clock only: {Detail}")]
    public static partial void RecoveryFailed(ILogger logger, string file, string detail);
}
