using System.CommandLine;
using WalService.Client;

namespace WalService.Cli;

/// <summary>What a command's action works with: its parsed arguments, the client, the output, standard error (for progress) and standard input.</summary>
internal sealed class Invocation(ParseResult result, Output output, TextWriter stderr, TextReader stdin, Func<WalClient> client)
{
    private WalClient? _client;

    public ParseResult Result { get; } = result;

    public Output Output { get; } = output;

    /// <summary>Where progress goes, so that standard output carries only the result.</summary>
    public TextWriter Stderr { get; } = stderr;

    public TextReader Stdin { get; } = stdin;

    /// <summary>The client, built on first use so that commands refused locally never open a channel.</summary>
    public WalClient Client => _client ??= client();

    public T? Get<T>(Option<T> option) => Result.GetValue(option);

    public T? Get<T>(Argument<T> argument) => Result.GetValue(argument);

    public T Require<T>(Argument<T> argument) => Result.GetRequiredValue(argument);

    public T Require<T>(Option<T> option) => Result.GetRequiredValue(option);
}
