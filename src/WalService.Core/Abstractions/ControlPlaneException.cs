namespace WalService.Core.Abstractions;

public enum ControlPlaneError
{
    NotFound,
    AlreadyExists,
    VersionMismatch,

    /// <summary>The store could not be reached; nothing is known to have changed.</summary>
    Unavailable,
}

/// <summary>A control-plane call that could not be carried out as asked; the store changed nothing.</summary>
public sealed class ControlPlaneException : Exception
{
    public ControlPlaneException()
    {
    }

    public ControlPlaneException(string message)
        : base(message)
    {
    }

    public ControlPlaneException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ControlPlaneException(ControlPlaneError error, string message)
        : base(message)
    {
        Error = error;
    }

    public ControlPlaneException(ControlPlaneError error, string message, Exception innerException)
        : base(message, innerException)
    {
        Error = error;
    }

    public ControlPlaneError Error { get; }
}
