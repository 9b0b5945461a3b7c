using System.Buffers.Text;
using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace WalService.Cli.Commands;

/// <summary>
/// <c>walctl auth</c>: API keys for a server's configuration, which holds only their SHA-256
/// (<c>Wal:Auth:ApiKeys:&lt;client id&gt;:Sha256</c>), never the key itself. Works offline: no server is called.
/// </summary>
internal static class AuthCommands
{
    /// <summary>Bytes of randomness in a key that <c>new-key</c> makes: 256 bits.</summary>
    private const int NewKeyBytes = 32;

    public static Command Create(CommandRunner runner)
    {
        var auth = new Command("auth", "Make and hash API keys for the server's configuration (no server is called).");
        runner.Explain(
            auth,
            """
            The server keeps only the lowercase hex SHA-256 of each client's key:
              Wal:Auth:ApiKeys:<client id>:Sha256 = <hash>      (environment: Wal__Auth__ApiKeys__<client id>__Sha256)
            A client then sends 'authorization: Bearer <key>' (walctl --api-key, or $WAL_API_KEY).
            """);
        auth.Add(HashKey(runner));
        auth.Add(NewKey(runner));
        return auth;
    }

    /// <summary>Lowercase hex SHA-256 of the key's UTF-8 bytes: the value of <c>Wal:Auth:ApiKeys:&lt;client id&gt;:Sha256</c>.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static Command HashKey(CommandRunner runner)
    {
        var key = new Argument<string?>("KEY")
        {
            Description = "The API key; '-' or nothing reads it from standard input, which keeps it out of the shell's history",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("hash-key", "Print the SHA-256 of an API key, as the server's configuration takes it.") { key };
        runner.Explain(
            command,
            """
            A key given as an argument is hashed exactly as written. Read from standard input, one line ending (\n or
            \r\n) at its end is not part of the key; nothing else is trimmed, as the server trims nothing. Example:
              walctl auth hash-key < team-a.key
              Wal__Auth__ApiKeys__team-a__Sha256=$(walctl auth hash-key < team-a.key)
            """);
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var text = invocation.Get(key) is { } given && given != InputReader.StdinName
                ? given
                : WithoutLineEnding(await invocation.Stdin.ReadToEndAsync(cancellationToken));
            if (text.Length == 0)
            {
                throw new UsageException("KEY: the API key is empty");
            }

            Print(invocation.Output, (Key: null, Sha256: Hash(text)));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command NewKey(CommandRunner runner)
    {
        var command = new Command("new-key", "Make a random API key (256 bits, base64url) and print it with its SHA-256.");
        runner.Explain(
            command,
            """
            Give the key to the client and put the hash into the server's configuration. Example:
              walctl auth new-key -o json
            """);
        runner.SetAction(command, (invocation, _) =>
        {
            var key = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(NewKeyBytes));
            Print(invocation.Output, (Key: key, Sha256: Hash(key)));
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static void Print(Output output, (string? Key, string Sha256) result)
    {
        if (output.IsJson)
        {
            output.WriteLine(JsonSerializer.Serialize(result.Key is null
                ? new Dictionary<string, string> { ["sha256"] = result.Sha256 }
                : new Dictionary<string, string> { ["key"] = result.Key, ["sha256"] = result.Sha256 }));
        }
        else if (result.Key is null)
        {
            output.WriteLine(result.Sha256);
        }
        else
        {
            output.WriteFields(("key", result.Key), ("sha256", result.Sha256));
        }
    }

    private static string WithoutLineEnding(string text) =>
        text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
}
