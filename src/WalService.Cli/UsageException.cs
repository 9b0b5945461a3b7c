namespace WalService.Cli;

/// <summary>
/// Input walctl cannot use: a missing or unreadable file, invalid JSON, a refused request. The message is printed
/// as <c>error: &lt;message&gt;</c> and walctl exits with <see cref="ExitCodes.Usage"/>.
/// </summary>
public sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
