using System.CommandLine;
using WalService.Client;

namespace WalService.Cli;

/// <summary>The options every command takes: where the server is, who is calling, and how to print.</summary>
internal sealed class GlobalOptions
{
    public const string AddressVariable = "WAL_ADDRESS";
    public const string ApiKeyVariable = "WAL_API_KEY";
    public const string DefaultAddress = "http://127.0.0.1:7070";
    public const string CaCertificateVariable = "WAL_CA_CERT";
    public const string ClientCertificateVariable = "WAL_CLIENT_CERT";
    public const string ClientKeyVariable = "WAL_CLIENT_KEY";

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

    public Option<string?> CaCertificate { get; } = new("--ca-cert")
    {
        Description = $"PEM file of the CA the server's certificate must chain to, for a private CA [${CaCertificateVariable}]",
        HelpName = "FILE",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(CaCertificateVariable),
    };

    public Option<string?> ClientCertificate { get; } = new("--client-cert")
    {
        Description = $"PEM file of a client certificate for mutual TLS; its subject CN is the identity [${ClientCertificateVariable}]",
        HelpName = "FILE",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(ClientCertificateVariable),
    };

    public Option<string?> ClientKey { get; } = new("--client-key")
    {
        Description = $"PEM file of the client certificate's private key, when it is not in --client-cert [${ClientKeyVariable}]",
        HelpName = "FILE",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(ClientKeyVariable),
    };

    public Option<bool> PlaintextCredentials { get; } = new("--plaintext-credentials")
    {
        Description = "Send the API key over a plaintext http:// address that is not loopback (readable on the way; trusted networks only)",
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
        root.Add(CaCertificate);
        root.Add(ClientCertificate);
        root.Add(ClientKey);
        root.Add(PlaintextCredentials);
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
        CaCertificatePath = result.GetValue(CaCertificate),
        ClientCertificatePath = result.GetValue(ClientCertificate),
        ClientKeyPath = result.GetValue(ClientKey),
        AllowPlaintextCredentials = result.GetValue(PlaintextCredentials),
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
