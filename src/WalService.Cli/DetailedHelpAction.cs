using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace WalService.Cli;

/// <summary>
/// The standard help, followed by a command's longer explanation and examples. Descriptions stay one line so that
/// command lists read well; what teaches goes into the details, shown only in the command's own help.
/// </summary>
internal sealed class DetailedHelpAction(CommandLineAction inner) : SynchronousCommandLineAction
{
    private readonly Dictionary<Command, string> _details = [];

    public override bool ClearsParseErrors => true;

    /// <summary>Installs this action as the help of <paramref name="root"/> (and so of every command under it).</summary>
    public static DetailedHelpAction Install(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        var action = new DetailedHelpAction(help.Action ?? new HelpAction());
        help.Action = action;
        return action;
    }

    public void Add(Command command, string details) => _details[command] = details;

    public override int Invoke(ParseResult parseResult)
    {
        var exitCode = inner is SynchronousCommandLineAction synchronous ? synchronous.Invoke(parseResult) : 0;
        if (_details.TryGetValue(parseResult.CommandResult.Command, out var details))
        {
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine(details.TrimEnd());
            output.WriteLine();
        }

        return exitCode;
    }
}
