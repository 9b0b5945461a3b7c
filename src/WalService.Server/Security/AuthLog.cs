namespace WalService.Server.Security;

/// <summary>Authentication events. They name the client address and the reason, never a key or its hash.</summary>
internal static partial class AuthLog
{
    [LoggerMessage(4000, LogLevel.Warning, "Authentication from {ClientAddress} refused ({Reason}): {Detail}")]
    public static partial void Refused(ILogger logger, string clientAddress, string reason, string detail);

    [LoggerMessage(4001, LogLevel.Warning, "Authentication from {ClientAddress} failed {Limit} times; its attempts are refused unchecked for up to {Window}")]
    public static partial void Throttled(ILogger logger, string clientAddress, int limit, TimeSpan window);
}
