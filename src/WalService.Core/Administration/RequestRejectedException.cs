using Grpc.Core;
using WalService.Core.Validation;

namespace WalService.Core.Administration;

/// <summary>
/// A request Core refused: the status it answers with (<see cref="Code"/>) and a message naming the field or the
/// state that stands in the way. Nothing was changed by the refused request. The gRPC services answer it as that
/// status; any other front end maps <see cref="Code"/> to its own protocol.
/// </summary>
public sealed class RequestRejectedException : Exception
{
    public RequestRejectedException()
    {
    }

    public RequestRejectedException(string message)
        : base(message)
    {
    }

    public RequestRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RequestRejectedException(StatusCode code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>The same refusal as the one a write answers with (<see cref="WriteRejection"/>), raised.</summary>
    public RequestRejectedException(WriteRejection rejection)
        : this((rejection ?? throw new ArgumentNullException(nameof(rejection))).Code, rejection.Message)
    {
    }

    /// <summary>The status the request answers with [UNKNOWN when constructed without one].</summary>
    public StatusCode Code { get; } = StatusCode.Unknown;

    internal static RequestRejectedException Invalid(string message) => new(StatusCode.InvalidArgument, message);
}
