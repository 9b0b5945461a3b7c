using System.CommandLine;
using System.Globalization;
using WalService.Api.V1;

namespace WalService.Cli.Commands;

/// <summary><c>walctl status</c>: where one message stands.</summary>
internal static class StatusCommand
{
    public static Command Create(CommandRunner runner)
    {
        var ns = CommonOptions.Namespace();
        var messageId = new Argument<string>("MESSAGE_ID") { Description = "The id 'walctl write' printed" };
        var command = new Command("status", "Show where one message stands: state, attempts, last error and times.")
        {
            ns,
            messageId,
        };
        runner.Explain(
            command,
            """
            The state is one of PENDING, DELAYED, IN_FLIGHT, RETRY_SCHEDULED, APPLIED or DEAD_LETTERED. Statuses are
            kept for the namespace's dedup_window: older or unknown ids answer NOT_FOUND (exit 5), and a namespace
            with track_status = false answers FAILED_PRECONDITION (exit 6). A message of a namespace that replicates
            to regions shows a line per region below its own state. Example:
              walctl status orders 01JB7X4Q2M8ZK3V5N6P7R8S9T0
            """);
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var status = await invocation.Client.GetStatusAsync(invocation.Require(ns), invocation.Require(messageId), cancellationToken);
            if (invocation.Output.IsJson)
            {
                invocation.Output.WriteJson(status);
                return ExitCodes.Success;
            }

            invocation.Output.WriteFields(
                ("message_id", Output.OrDash(status.MessageId)),
                ("state", Output.EnumName(status.State, "MESSAGE_STATE_")),
                ("attempts", status.Attempts.ToString(CultureInfo.InvariantCulture)),
                ("last_error", Output.OrDash(status.LastError)),
                ("next_attempt_at", Output.Time(status.NextAttemptAt)),
                ("applied_at", Output.Time(status.AppliedAt)));
            if (status.Regions.Count > 0)
            {
                invocation.Output.WriteLine(string.Empty);
                invocation.Output.WriteTable(
                    ["REGION", "STATE", "ATTEMPTS", "NEXT_ATTEMPT_AT", "APPLIED_AT", "LAST_ERROR"],
                    status.Regions.Select(r => (IReadOnlyList<string>)
                    [
                        r.Region,
                        Output.EnumName(r.State, "MESSAGE_STATE_"),
                        r.Attempts.ToString(CultureInfo.InvariantCulture),
                        Output.Time(r.NextAttemptAt),
                        Output.Time(r.AppliedAt),
                        Output.OrDash(r.LastError),
                    ]));
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
