using System.CommandLine;
using WalService.Client;

namespace WalService.Cli;

/// <summary>The options every command takes: where the server is, who is calling, and how to print.</summary>
internal sealed class GlobalOptions
{
    public const string AddressVariable = "WAL_ADDRESS";
    public const string ApiKeyVariable = "WAL_API_KEY";
    public const string DefaultAddress = "http://127.0.0.1:7070";

    public Option<Uri> Address { get; } = new("--address")
    {
        Description = $"The server's gRPC endpoint [${AddressVariable}, else {DefaultAddress}]",
        HelpName = "URL",
        Recursive = true,
        DefaultValueFactory = result => ParseAddress(result, $"${AddressVariable}", Environment.GetEnvironmentVariable(AddressVariable) is { Length: > 0 } a ? a : DefaultAddress),
        CustomParser = result => ParseAddress(result, "--address", result.Tokens[0].Value),
    };

    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = $"Sent as 'authorization: Bearer <key>' [${ApiKeyVariable}]",
        HelpName = "KEY",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(ApiKeyVariable),
    };

    public Option<string?> ClientId { get; } = new("--client-id")
    {
        Description = "Sent as 'wal-client-id', where the server takes self-named clients",
        HelpName = "ID",
        Recursive = true,
    };

    public Option<string> Output { get; } = new Option<string>("--output", "-o")
    {
        Description = "text for people, json for scripts (the protobuf JSON form)",
        Recursive = true,
        DefaultValueFactory = _ => "text",
    }.AcceptOnlyFromAmong("text", "json");

    public Option<TimeSpan> Timeout { get; } = new("--timeout")
    {
        Description = $"Deadline of each call ({DurationParser.Forms})",
        HelpName = "DURATION",
        Recursive = true,
        DefaultValueFactory = _ => TimeSpan.FromSeconds(30),
        CustomParser = result => ParseDuration(result, "--timeout"),
    };

    public void AddTo(RootCommand root)
    {
        root.Add(Address);
        root.Add(ApiKey);
        root.Add(ClientId);
        root.Add(Output);
        root.Add(Timeout);
    }

    public OutputFormat GetOutputFormat(ParseResult result) =>
        result.GetValue(Output) == "json" ? OutputFormat.Json : OutputFormat.Text;

    public WalClientOptions ToClientOptions(ParseResult result) => new()
    {
        Address = result.GetRequiredValue(Address),
        ApiKey = result.GetValue(ApiKey),
        ClientId = result.GetValue(ClientId),
        Timeout = result.GetValue(Timeout),
    };

    /// <summary>A custom parser for a duration option; reports the problem as a usage error.</summary>
    public static TimeSpan ParseDuration(System.CommandLine.Parsing.ArgumentResult result, string option)
    {
        if (DurationParser.TryParse(result.Tokens[0].Value, out var value, out var error))
        {
            return value;
        }

        result.AddError($"{option}: {error}");
        return default;
    }

    /// <summary>The address, or a usage error (after which no command runs, so the null is never read).</summary>
    private static Uri ParseAddress(System.CommandLine.Parsing.ArgumentResult result, string source, string text)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        result.AddError($"{source}: '{text}' is not an http:// or https:// URL");
        return null!;
    }
}
