using System.CommandLine;
using System.CommandLine.Parsing;

namespace WalService.Cli.Commands;

/// <summary>Options and checks shared by several commands.</summary>
internal static class CommonOptions
{
    public static Option<int> PageSize() => new("--page-size")
    {
        Description = "How many entries to ask for per call (0 = the server's default); all pages are listed",
        HelpName = "N",
        Validators = { result => RejectNegative(result) },
    };

    public static Argument<string> Namespace() => new("NAMESPACE") { Description = "The namespace's name" };

    /// <summary>Adds a usage error when an integer option is negative.</summary>
    public static void RejectNegative(OptionResult result)
    {
        if (result.GetValueOrDefault<int>() < 0)
        {
            result.AddError($"{result.Option.Name} must be zero or more");
        }
    }
}
