using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using WalService.Api.V1;
using WalService.Client;

namespace WalService.Cli.Commands;

/// <summary>
/// <c>walctl write</c>: durably enqueue one message and say whether the service now owns it; with <c>--chunk-size</c>,
/// write a <c>KvMutationBatch</c> as one transaction in chunks (<see cref="TransactionWrite"/>).
/// </summary>
internal static class WriteCommand
{
    public static Command Create(CommandRunner runner)
    {
        var ns = CommonOptions.Namespace();
        var payload = new Argument<string?>("PAYLOAD")
        {
            Description = "The payload as text (UTF-8); '-' or nothing reads standard input as raw bytes",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var file = new Option<string?>("--file")
        {
            Description = "Read the payload from this file, byte for byte (with --chunk-size: the mutations, as JSON)",
            HelpName = "PATH",
        };
        var chunkSize = new Option<int?>("--chunk-size")
        {
            Description = $"Write the input, a wal.v1.KvMutationBatch in protobuf JSON, as one transaction in chunks of at most this much ({ByteSizeParser.Forms})",
            HelpName = "SIZE",
            CustomParser = ParseChunkSize,
        };
        var transactionId = new Option<string?>("--transaction-id")
        {
            Description = "With --chunk-size: the transaction's id, 1-128 of [A-Za-z0-9._:-] [a new one]; the same id sends an interrupted transaction again",
            HelpName = "ID",
        };
        var delay = new Option<TimeSpan?>("--delay")
        {
            Description = $"Deliver no sooner than this from now ({DurationParser.Forms}); at most the namespace's max_delay",
            HelpName = "DURATION",
            CustomParser = result => GlobalOptions.ParseDuration(result, "--delay"),
        };
        var key = new Option<string?>("--key")
        {
            Description = "Idempotency key: a repeat within the namespace's dedup window returns the first write's id and enqueues nothing",
            HelpName = "KEY",
        };
        var orderingKey = new Option<string?>("--ordering-key")
        {
            Description = "Messages with the same ordering key are delivered in write order",
            HelpName = "KEY",
        };
        var headers = new Option<string[]>("--header")
        {
            Description = "A header carried to the target, as name=value; repeat for more",
            HelpName = "NAME=VALUE",
            Arity = ArgumentArity.OneOrMore,
            Validators = { ValidateHeaders },
        };
        var command = new Command("write", "Durably enqueue one message; prints its id and whether the service now owns it.")
        {
            ns,
            payload,
            file,
            chunkSize,
            transactionId,
            delay,
            key,
            orderingKey,
            headers,
        };
        runner.Explain(
            command,
            """
            The payload comes from the PAYLOAD argument, from --file, or from standard input when neither is given
            (or PAYLOAD is '-'); files and standard input are sent byte for byte. The exit code is the answer:
              0  durable = TRUE     the service owns the message: it reaches its target or the dead-letter queue
              3  durable = UNKNOWN  it may or may not be persisted; retry with the same --key
              4  durable = FALSE    certainly not persisted; safe to retry
            Examples:
              walctl write orders '{"id":42}' --key order-42
              walctl write orders --file mutation.bin --delay 1h --header content-type=application/x-protobuf
              produce-event | walctl write orders --ordering-key customer-7
            Transactions: with --chunk-size the input is a wal.v1.KvMutationBatch in protobuf JSON
            ({"mutations": [{"table": "items", "partitionKey": "i-1", "sortKey": "v", "putValue": "<base64>"}, ...]}),
            written to a kv namespace as one transaction: cut in order into chunks of at most SIZE of mutations (keep it
            under the namespace's max_payload_bytes, 1 MiB by default), four sent at once, each resent until durable.
            Progress goes to standard error; the transaction's message id is printed once every chunk is durable, and
            its mutations are applied together, all or none. --delay, --key, --ordering-key and --header apply to the
            transaction. If it is interrupted, the same command with the --transaction-id it printed finishes it.
              walctl write items --file mutations.json --chunk-size 256KiB --transaction-id import-2024-06-01
            """);
        command.Validators.Add(result =>
        {
            if (result.GetValue(payload) is not null && result.GetValue(file) is not null)
            {
                result.AddError("give the payload as an argument or with --file, not both");
            }

            if (result.GetValue(transactionId) is not null && result.GetValue(chunkSize) is null)
            {
                result.AddError("--transaction-id needs --chunk-size: only a transaction has one");
            }
        });

        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var options = new WalWriteOptions
            {
                Delay = invocation.Get(delay),
                IdempotencyKey = invocation.Get(key),
                OrderingKey = invocation.Get(orderingKey),
                Headers = ParseHeaders(invocation.Get(headers) ?? []),
            };
            if (invocation.Get(chunkSize) is { } size)
            {
                var (source, json) = await ReadJsonAsync(invocation, invocation.Get(file), invocation.Get(payload), cancellationToken);
                var txn = invocation.Get(transactionId) ?? "walctl-" + Guid.NewGuid().ToString("N");
                return await TransactionWrite.RunAsync(invocation, invocation.Require(ns), source, json, size, txn, options, cancellationToken);
            }

            var bytes = invocation.Get(file) is { } path
                ? await InputReader.ReadBytesAsync(path, invocation.Stdin, cancellationToken)
                : invocation.Get(payload) is { } text && text != InputReader.StdinName
                    ? Encoding.UTF8.GetBytes(text)
                    : await InputReader.ReadBytesAsync(InputReader.StdinName, invocation.Stdin, cancellationToken);
            var request = WalClient.CreateRequest(invocation.Require(ns), bytes, options);
            var response = await invocation.Client.Log.WriteToLogAsync(request, cancellationToken: cancellationToken);
            WriteResponse(invocation.Output, response);
            return ExitCode(response.Durable);
        });
        return command;
    }

    /// <summary>The exit code for a durable answer: success only when the service owns the message.</summary>
    internal static int ExitCode(Trilean durable) => durable switch
    {
        Trilean.True => ExitCodes.Success,
        Trilean.False => ExitCodes.DurableFalse,
        _ => ExitCodes.DurableUnknown,
    };

    /// <summary>Splits <c>name=value</c> pairs at the first '='; the value may be empty or hold more '='.</summary>
    internal static Dictionary<string, string> ParseHeaders(IEnumerable<string> pairs)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            headers[pair[..at]] = pair[(at + 1)..];
        }

        return headers;
    }

    /// <summary>
    /// The text of a transaction's mutations and how messages name where it came from: <c>--file PATH</c>, the
    /// PAYLOAD argument, or standard input.
    /// </summary>
    private static async Task<(string Source, string Json)> ReadJsonAsync(Invocation invocation, string? path, string? payload, CancellationToken cancellationToken)
    {
        if (path is not null)
        {
            try
            {
                return ($"--file {InputReader.DisplayName(path)}", await InputReader.ReadTextAsync(path, invocation.Stdin, cancellationToken));
            }
            catch (UsageException e)
            {
                throw new UsageException($"--file {e.Message}", e);
            }
        }

        return payload is not null && payload != InputReader.StdinName
            ? ("PAYLOAD", payload)
            : ("standard input", await InputReader.ReadTextAsync(InputReader.StdinName, invocation.Stdin, cancellationToken));
    }

    private static int? ParseChunkSize(ArgumentResult result)
    {
        if (ByteSizeParser.TryParse(result.Tokens[0].Value, out var value, out var error))
        {
            return value;
        }

        result.AddError($"--chunk-size: {error}");
        return null;
    }

    private static void ValidateHeaders(OptionResult result)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var token in result.Tokens)
        {
            var at = token.Value.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0)
            {
                result.AddError($"--header '{token.Value}' is not name=value");
            }
            else if (!seen.Add(token.Value[..at]))
            {
                result.AddError($"--header '{token.Value[..at]}' is given more than once");
            }
        }
    }

    private static void WriteResponse(Output output, WriteToLogResponse response)
    {
        if (output.IsJson)
        {
            output.WriteJson(response);
            return;
        }

        var durable = Output.EnumName(response.Durable, "TRILEAN_");
        if (response.Message.Length > 0)
        {
            output.WriteFields(("message_id", Output.OrDash(response.MessageId)), ("durable", durable), ("message", response.Message));
        }
        else
        {
            output.WriteFields(("message_id", Output.OrDash(response.MessageId)), ("durable", durable));
        }
    }
}
