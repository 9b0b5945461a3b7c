using System.CommandLine;
using System.Globalization;
using WalService.Api.V1;

namespace WalService.Cli.Commands;

/// <summary><c>walctl dlq ...</c>: inspect, redrive and purge a namespace's dead letters.</summary>
internal static class DeadLetterCommands
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command("dlq", "Inspect, redrive and purge a namespace's dead letters.");
        runner.Explain(
            command,
            """
            A message is dead-lettered when its target refuses it for good or its retries run out. List them, fix
            the cause, then redrive them (they are delivered again) or purge them (they are gone for good).
            """);
        command.Add(List(runner));
        command.Add(Redrive(runner));
        command.Add(Purge(runner));
        return command;
    }

    private static Command List(CommandRunner runner)
    {
        var ns = CommonOptions.Namespace();
        var pageSize = CommonOptions.PageSize();
        var command = new Command("list", "List a namespace's dead letters; -o json includes payloads (base64) and headers.")
        {
            ns,
            pageSize,
        };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var all = new ListDeadLettersResponse();
            var request = new ListDeadLettersRequest { Namespace = invocation.Require(ns), PageSize = invocation.Get(pageSize) };
            do
            {
                var page = await invocation.Client.Admin.ListDeadLettersAsync(request, cancellationToken: cancellationToken);
                all.DeadLetters.Add(page.DeadLetters);
                request.PageToken = page.NextPageToken;
            }
            while (request.PageToken.Length > 0);

            if (invocation.Output.IsJson)
            {
                invocation.Output.WriteJson(all);
                return ExitCodes.Success;
            }

            var regions = all.DeadLetters.Any(d => d.Region.Length > 0);
            invocation.Output.WriteTable(
                regions ? ["MESSAGE_ID", "REGION", "ATTEMPTS", "DEAD_LETTERED_AT", "LAST_ERROR"] : ["MESSAGE_ID", "ATTEMPTS", "DEAD_LETTERED_AT", "LAST_ERROR"],
                all.DeadLetters.Select(d => (IReadOnlyList<string>)
                [
                    d.MessageId,
                    .. regions ? [d.Region] : Array.Empty<string>(),
                    d.Attempts.ToString(CultureInfo.InvariantCulture),
                    Output.Time(d.DeadLetteredAt),
                    OneLine(d.LastError),
                ]));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Redrive(CommandRunner runner)
    {
        var ns = CommonOptions.Namespace();
        var ids = MessageIds("The dead letters to redrive; none = all of them");
        var maxPerSecond = new Option<int>("--max-per-second")
        {
            Description = "Redrive at most this many messages per second (0 = as fast as the consumers go)",
            HelpName = "N",
            Validators = { CommonOptions.RejectNegative },
        };
        var region = Region("Redrive only this region's dead letters (a replicated namespace); delivered again to that region alone");
        var command = new Command("redrive", "Put dead letters back on the log for delivery; no ids = all of them.")
        {
            ns,
            ids,
            maxPerSecond,
            region,
        };
        runner.Explain(
            command,
            """
            Redriven messages are delivered again with fresh attempts; fix the cause first, or they come straight
            back. Examples:
              walctl dlq redrive orders 01JB7X4Q2M8ZK3V5N6P7R8S9T0 01JB7X4Q2M8ZK3V5N6P7R8S9T1
              walctl dlq redrive orders --max-per-second 50
              walctl dlq redrive cache --region eu-west
            """);
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var request = new RedriveDeadLettersRequest { Namespace = invocation.Require(ns), MaxPerSecond = invocation.Get(maxPerSecond), Region = invocation.Get(region) ?? string.Empty };
            request.MessageIds.Add(invocation.Get(ids) ?? []);
            var response = await invocation.Client.Admin.RedriveDeadLettersAsync(request, cancellationToken: cancellationToken);
            invocation.Output.Write(response, () => invocation.Output.WriteLine($"redriven {response.Redriven}"));

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Purge(CommandRunner runner)
    {
        var ns = CommonOptions.Namespace();
        var ids = MessageIds("The dead letters to purge");
        var all = new Option<bool>("--all")
        {
            Description = "Purge every dead letter of the namespace; required when no ids are given",
        };
        var region = Region("Purge only this region's dead letters (a replicated namespace)");
        var command = new Command("purge", "Delete dead letters for good: the ids given, or every one with --all.")
        {
            ns,
            ids,
            all,
            region,
        };
        runner.Explain(
            command,
            """
            Without ids walctl refuses (exit 2) unless --all says that every dead letter of the namespace is meant.
            Examples:
              walctl dlq purge orders 01JB7X4Q2M8ZK3V5N6P7R8S9T0
              walctl dlq purge orders --all
            """);
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var name = invocation.Require(ns);
            var messageIds = invocation.Get(ids) ?? [];
            var purgeAll = invocation.Get(all);
            if (messageIds.Length == 0 && !purgeAll)
            {
                throw new UsageException($"refusing to purge every dead letter of '{name}' without --all; name the message ids to purge only those");
            }

            if (messageIds.Length > 0 && purgeAll)
            {
                throw new UsageException("--all purges every dead letter; name message ids or pass --all, not both");
            }

            var request = new PurgeDeadLettersRequest { Namespace = name, Region = invocation.Get(region) ?? string.Empty };
            request.MessageIds.Add(messageIds);
            var response = await invocation.Client.Admin.PurgeDeadLettersAsync(request, cancellationToken: cancellationToken);
            invocation.Output.Write(response, () => invocation.Output.WriteLine($"purged {response.Purged}"));

            return ExitCodes.Success;
        });
        return command;
    }

    private static Option<string> Region(string description) => new("--region")
    {
        Description = description,
        HelpName = "REGION",
    };

    private static Argument<string[]> MessageIds(string description) => new("IDS")
    {
        Description = description,
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static string OneLine(string text) =>
        text.Length == 0 ? "-" : text.ReplaceLineEndings(" ");
}
