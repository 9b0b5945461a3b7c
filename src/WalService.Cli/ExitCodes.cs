using Grpc.Core;

namespace WalService.Cli;

/// <summary>walctl's exit codes; scripts may rely on them, so they are part of its contract (see the root help).</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked; for <c>write</c>, the service answered durable = TRUE.</summary>
    public const int Success = 0;

    /// <summary>An unexpected failure inside walctl.</summary>
    public const int Failure = 1;

    /// <summary>Bad usage or invalid input: unknown command or option, unreadable file or JSON, INVALID_ARGUMENT.</summary>
    public const int Usage = 2;

    /// <summary><c>write</c>: the service answered durable = UNKNOWN; retry with the same idempotency key.</summary>
    public const int DurableUnknown = 3;

    /// <summary><c>write</c>: the service answered durable = FALSE; certainly not persisted, safe to retry.</summary>
    public const int DurableFalse = 4;

    /// <summary>The server answered NOT_FOUND (namespace, message or dead letter).</summary>
    public const int NotFound = 5;

    /// <summary>The server answered any other gRPC error.</summary>
    public const int RpcError = 6;

    /// <summary>The server could not be reached (UNAVAILABLE).</summary>
    public const int Unreachable = 7;

    /// <summary>Interrupted (Ctrl+C) before the command finished.</summary>
    public const int Cancelled = 130;

    /// <summary>The exit code for a call that failed with <paramref name="status"/>.</summary>
    public static int ForStatus(StatusCode status) => status switch
    {
        StatusCode.InvalidArgument => Usage,
        StatusCode.NotFound => NotFound,
        StatusCode.Unavailable => Unreachable,
        _ => RpcError,
    };

    /// <summary>The lines of the root help that document these codes.</summary>
    internal const string HelpText =
        """
        Exit codes:
          0    success (for write: durable = TRUE)
          1    unexpected failure inside walctl
          2    usage error or invalid input (bad option, unreadable file or JSON, INVALID_ARGUMENT)
          3    write answered durable = UNKNOWN: retry with the same --key
          4    write answered durable = FALSE: not persisted, safe to retry
          5    NOT_FOUND
          6    any other gRPC error (printed as 'error: <StatusCode>: <detail>')
          7    the server cannot be reached (UNAVAILABLE)
          130  interrupted
        """;
}
