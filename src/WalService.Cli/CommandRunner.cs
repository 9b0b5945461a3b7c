using System.CommandLine;
using Grpc.Core;
using WalService.Client;

namespace WalService.Cli;

/// <summary>
/// Runs command actions and turns their failures into messages on standard error and the exit codes of
/// <see cref="ExitCodes"/>, so the commands themselves only say what success looks like.
/// </summary>
internal sealed class CommandRunner(
    TextWriter stdout,
    TextWriter stderr,
    TextReader stdin,
    Func<WalClientOptions, WalClient> clientFactory,
    DetailedHelpAction help)
{
    public GlobalOptions Globals { get; } = new();

    /// <summary>Adds an explanation and examples to the help of <paramref name="command"/>.</summary>
    public void Explain(Command command, string details) => help.Add(command, details);

    public void SetAction(Command command, Func<Invocation, CancellationToken, Task<int>> action) =>
        command.SetAction((result, cancellationToken) => RunAsync(result, action, cancellationToken));

    private async Task<int> RunAsync(ParseResult result, Func<Invocation, CancellationToken, Task<int>> action, CancellationToken cancellationToken)
    {
        var options = Globals.ToClientOptions(result);
        var output = new Output(stdout, Globals.GetOutputFormat(result));
        var invocation = new Invocation(result, output, stderr, stdin, () => clientFactory(options));
        try
        {
            return await action(invocation, cancellationToken);
        }
        catch (UsageException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("error: cancelled");
            return ExitCodes.Cancelled;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("error: cancelled");
            return ExitCodes.Cancelled;
        }
        catch (RpcException e)
        {
            await stderr.WriteLineAsync($"error: {e.StatusCode}: {e.Status.Detail}");
            await WriteHintAsync(e, options);
            return ExitCodes.ForStatus(e.StatusCode);
        }
    }

    private static bool IsTlsFailure(Exception? exception)
    {
        for (var at = exception; at is not null; at = at.InnerException)
        {
            if (at is System.Security.Authentication.AuthenticationException)
            {
                return true;
            }
        }

        return false;
    }

    private async Task WriteHintAsync(RpcException e, WalClientOptions options)
    {
        if (IsTlsFailure(e.Status.DebugException))
        {
            await stderr.WriteLineAsync($"hint: the TLS handshake with {options.Address} failed; a server certificate from a private CA needs --ca-cert (${GlobalOptions.CaCertificateVariable}), and a server that requires client certificates needs --client-cert");
        }
        else if (e.StatusCode == StatusCode.Unavailable)
        {
            var cause = e.Status.DebugException?.InnerException?.Message ?? e.Status.DebugException?.Message;
            await stderr.WriteLineAsync(cause is null
                ? $"hint: is a server listening on {options.Address}? Set --address or ${GlobalOptions.AddressVariable}."
                : $"hint: {cause}; is a server listening on {options.Address}? Set --address or ${GlobalOptions.AddressVariable}.");
        }
        else if (e.StatusCode == StatusCode.ResourceExhausted && e.Trailers.GetValue("retry-after-ms") is { } retryAfter)
        {
            await stderr.WriteLineAsync($"hint: retry after {retryAfter} ms");
        }
        else if (e.StatusCode == StatusCode.DeadlineExceeded)
        {
            await stderr.WriteLineAsync($"hint: no answer within {options.Timeout}; a longer --timeout may help");
        }
    }
}
