using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using WalService.Cli.Commands;
using WalService.Client;

namespace WalService.Cli;

/// <summary>walctl, the command line of WalService: namespaces, writes, message status and dead letters.</summary>
public static class WalCtl
{
    private const string Description =
        "walctl talks to a WalService server over gRPC: register and tune namespaces, write messages, follow them, "
        + "and inspect, redrive or purge dead letters.";

    private const string Details =
        $$"""
        Examples:
          walctl namespace apply -f orders.json          create or update the namespace orders.json describes
          walctl write orders '{"id":42}' --delay 5m --key order-42
          walctl status orders 01JB7X4Q2M8ZK3V5N6P7R8S9T0
          walctl dlq list orders -o json

        Environment:
          {{GlobalOptions.AddressVariable}}    the server's gRPC endpoint when --address is not given [{{GlobalOptions.DefaultAddress}}]
          {{GlobalOptions.ApiKeyVariable}}    the API key when --api-key is not given
          {{GlobalOptions.CaCertificateVariable}}    --ca-cert: PEM of a private CA the server's certificate chains to
          {{GlobalOptions.ClientCertificateVariable}}    --client-cert: PEM client certificate for mutual TLS
          {{GlobalOptions.ClientKeyVariable}}    --client-key: its private key, when not in the certificate file

        An API key travels only over https:// or to a loopback address, unless --plaintext-credentials is given.

        Errors are printed to standard error as 'error: <StatusCode>: <detail>'.

        {{ExitCodes.HelpText}}
        """;

    /// <summary>
    /// Runs walctl with <paramref name="args"/> and answers its exit code (see <see cref="ExitCodes"/>). Results go
    /// to <paramref name="stdout"/>; errors, and help after a usage error, to <paramref name="stderr"/>. Payloads
    /// and documents named <c>-</c> are read from <paramref name="stdin"/>, as raw bytes when it is a
    /// <see cref="StreamReader"/>. <paramref name="clientFactory"/> builds the client from the global options; by
    /// default a plain gRPC channel that this call disposes when it returns.
    /// </summary>
    public static async Task<int> RunAsync(
        string[] args,
        TextWriter stdout,
        TextWriter stderr,
        TextReader stdin,
        Func<WalClientOptions, WalClient>? clientFactory = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(stdin);

        using var channels = new ChannelClientFactory();
        var root = new RootCommand(Description);
        var runner = new CommandRunner(stdout, stderr, stdin, clientFactory ?? channels.Create, DetailedHelpAction.Install(root));
        AddCommands(root, runner);
        var result = root.Parse(args);

        if (result.Action is ParseErrorAction)
        {
            await WriteUsageErrorAsync(root, result, stderr);
            return ExitCodes.Usage;
        }

        return await result.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    /// <summary>
    /// Writes the parse errors to standard error, so that standard output carries only results. A missing or unknown
    /// command gets the help of the command it was looked for under; any other mistake a pointer to that help.
    /// </summary>
    private static async Task WriteUsageErrorAsync(RootCommand root, ParseResult result, TextWriter stderr)
    {
        foreach (var error in result.Errors)
        {
            await stderr.WriteLineAsync($"error: {error.Message}");
        }

        var path = CommandPath(result.CommandResult);
        var command = result.CommandResult.Command;
        if (result.UnmatchedTokens.Count > 0 || (command.Subcommands.Count > 0 && command.Action is null))
        {
            await stderr.WriteLineAsync();
            await root.Parse([.. path, "--help"]).InvokeAsync(new InvocationConfiguration { Output = stderr, Error = stderr });
        }
        else
        {
            await stderr.WriteLineAsync($"Run '{string.Join(' ', ["walctl", .. path])} --help' for usage.");
        }
    }

    /// <summary>The names of the commands from the root down to <paramref name="result"/>'s, without the root.</summary>
    private static List<string> CommandPath(CommandResult result)
    {
        var path = new List<string>();
        for (var at = result; at.Parent is CommandResult parent; at = parent)
        {
            path.Insert(0, at.Command.Name);
        }

        return path;
    }

    private static void AddCommands(RootCommand root, CommandRunner runner)
    {
        runner.Explain(root, Details);
        runner.Globals.AddTo(root);
        root.Add(NamespaceCommands.Create(runner));
        root.Add(WriteCommand.Create(runner));
        root.Add(StatusCommand.Create(runner));
        root.Add(DeadLetterCommands.Create(runner));
        root.Add(AuthCommands.Create(runner));
    }
}
