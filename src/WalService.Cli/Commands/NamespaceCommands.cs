using System.CommandLine;
using Grpc.Core;
using WalService.Api.V1;

namespace WalService.Cli.Commands;

/// <summary><c>walctl namespace ...</c>: register, inspect, tune, pause and delete namespaces.</summary>
internal static class NamespaceCommands
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command("namespace", "Register, inspect, tune, pause and delete namespaces (the control plane).");
        command.Add(Apply(runner));
        command.Add(Get(runner));
        command.Add(List(runner));
        command.Add(Delete(runner));
        command.Add(Pause(runner));
        command.Add(Resume(runner));
        return command;
    }

    private static Command Apply(CommandRunner runner)
    {
        var file = new Option<string>("--file", "-f")
        {
            Description = "The wal.v1.NamespaceConfig in protobuf JSON form ('-' reads standard input)",
            HelpName = "PATH",
            Required = true,
        };
        var command = new Command("apply", "Create the namespace a file describes, or update it to match.") { file };
        runner.Explain(
            command,
            """
            The file holds a wal.v1.NamespaceConfig in protobuf JSON form (field names as in the wal.v1 protos, snake_case or
            camelCase); fields left out take their defaults. For example, orders.json:
              {
                "name": "orders",
                "target": { "http": { "url": "https://orders.internal/apply", "timeout": "5s" } },
                "retry": { "max_attempts": 5, "initial_backoff": "2s" },
                "max_delay": "86400s"
              }
            Then:
              walctl namespace apply -f orders.json
              walctl namespace get orders -o json | jq .config | walctl namespace apply -f -
            An existing namespace is updated against the version just read, so a concurrent change fails with ABORTED
            (exit 6) instead of being overwritten; read it again and re-apply.
            """);
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var path = invocation.Require(file);
            var config = ParseConfig(path, await InputReader.ReadTextAsync(path, invocation.Stdin, cancellationToken));
            var admin = invocation.Client.Admin;
            var existing = await FindAsync(admin, config.Name, cancellationToken);
            var result = existing is null
                ? await admin.CreateNamespaceAsync(new CreateNamespaceRequest { Config = config }, cancellationToken: cancellationToken)
                : await admin.UpdateNamespaceAsync(new UpdateNamespaceRequest { Config = config, ExpectedVersion = existing.Version }, cancellationToken: cancellationToken);
            WriteNamespaceResult(invocation.Output, existing is null ? "created" : "updated", result);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Get(CommandRunner runner)
    {
        var name = NameArgument();
        var command = new Command("get", "Show a namespace: its version, state and full configuration.") { name };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var ns = await invocation.Client.Admin.GetNamespaceAsync(new GetNamespaceRequest { Name = invocation.Require(name) }, cancellationToken: cancellationToken);
            if (invocation.Output.IsJson)
            {
                invocation.Output.WriteJson(ns);
                return ExitCodes.Success;
            }

            invocation.Output.WriteFields(
                ("name", ns.Config?.Name ?? string.Empty),
                ("version", ns.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("state", StateName(ns.State)),
                ("shard", ShardName(ns.Config)),
                ("backend", BackendName(ns.Config)),
                ("target", TargetName(ns.Config?.Target)),
                ("created_at", Output.Time(ns.CreatedAt)),
                ("updated_at", Output.Time(ns.UpdatedAt)));
            invocation.Output.WriteLine("config:");
            invocation.Output.WriteJson(ns.Config ?? new NamespaceConfig(), includeDefaults: false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CommandRunner runner)
    {
        var pageSize = CommonOptions.PageSize();
        var command = new Command("list", "List every namespace, following the server's pages to the end.") { pageSize };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var all = new ListNamespacesResponse();
            var request = new ListNamespacesRequest { PageSize = invocation.Get(pageSize) };
            do
            {
                var page = await invocation.Client.Admin.ListNamespacesAsync(request, cancellationToken: cancellationToken);
                all.Namespaces.Add(page.Namespaces);
                request.PageToken = page.NextPageToken;
            }
            while (request.PageToken.Length > 0);

            if (invocation.Output.IsJson)
            {
                invocation.Output.WriteJson(all);
                return ExitCodes.Success;
            }

            invocation.Output.WriteTable(
                ["NAME", "VERSION", "STATE", "SHARD", "BACKEND", "TARGET"],
                all.Namespaces.Select(ns => (IReadOnlyList<string>)
                [
                    ns.Config?.Name ?? string.Empty,
                    ns.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    StateName(ns.State),
                    ShardName(ns.Config),
                    BackendName(ns.Config),
                    TargetName(ns.Config?.Target),
                ]));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Delete(CommandRunner runner)
    {
        var name = NameArgument();
        var force = new Option<bool>("--force")
        {
            Description = "Delete even while messages are pending; they are dropped undelivered",
        };
        var command = new Command("delete", "Delete a namespace; refused while messages are pending, unless --force.")
        {
            name,
            force,
        };
        runner.Explain(
            command,
            """
            Without --force the server answers FAILED_PRECONDITION (exit 6) while the namespace still holds pending,
            delayed or retrying messages. Pause it and let it drain, or pass --force to drop them undelivered:
              walctl namespace delete orders-staging --force
            """);
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var request = new DeleteNamespaceRequest { Name = invocation.Require(name), Force = invocation.Get(force) };
            var empty = await invocation.Client.Admin.DeleteNamespaceAsync(request, cancellationToken: cancellationToken);
            invocation.Output.Write(empty, () => invocation.Output.WriteLine($"deleted {request.Name}"));

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Pause(CommandRunner runner)
    {
        var name = NameArgument();
        var command = new Command("pause", "Stop delivering a namespace's messages; writes are still accepted and kept. Answers once the server it asks has no delivery of it under way (30 s at most); other servers stop at their next refresh.") { name };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var ns = await invocation.Client.Admin.PauseNamespaceAsync(new PauseNamespaceRequest { Name = invocation.Require(name) }, cancellationToken: cancellationToken);
            WriteNamespaceResult(invocation.Output, "paused", ns);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Resume(CommandRunner runner)
    {
        var name = NameArgument();
        var command = new Command("resume", "Resume delivering a paused namespace's messages.") { name };
        runner.SetAction(command, async (invocation, cancellationToken) =>
        {
            var ns = await invocation.Client.Admin.ResumeNamespaceAsync(new ResumeNamespaceRequest { Name = invocation.Require(name) }, cancellationToken: cancellationToken);
            WriteNamespaceResult(invocation.Output, "resumed", ns);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Parses a config file; a problem is reported naming the file.</summary>
    internal static NamespaceConfig ParseConfig(string path, string json)
    {
        var source = InputReader.DisplayName(path);
        var config = InputReader.ParseJson<NamespaceConfig>(source, json);
        return config.Name.Length > 0 ? config : throw new UsageException($"{source}: the config has no \"name\"");
    }

    private static async Task<Namespace?> FindAsync(NamespaceAdmin.NamespaceAdminClient admin, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await admin.GetNamespaceAsync(new GetNamespaceRequest { Name = name }, cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    private static void WriteNamespaceResult(Output output, string verb, Namespace ns)
    {
        output.Write(ns, () => output.WriteLine($"{verb} {ns.Config?.Name} (version {ns.Version})"));
    }

    private static Argument<string> NameArgument() => new("NAME") { Description = "The namespace's name" };

    private static string StateName(NamespaceState state) => Output.EnumName(state, "NAMESPACE_STATE_");

    /// <summary>The shard serving the namespace; an empty one means the default shard.</summary>
    private static string ShardName(NamespaceConfig? config) =>
        string.IsNullOrEmpty(config?.Shard) ? "default" : config.Shard;

    /// <summary>The backend's field name (<c>embedded</c>, <c>kafka</c>, <c>sqs</c>); none set means embedded.</summary>
    private static string BackendName(NamespaceConfig? config) =>
        config is null || config.BackendCase == NamespaceConfig.BackendOneofCase.None
            ? "embedded"
            : NamespaceConfig.Descriptor.FindFieldByNumber((int)config.BackendCase).Name;

    /// <summary>The target's field name (<c>http</c>, <c>kv</c>, ...), or <c>-</c> when none is set.</summary>
    private static string TargetName(Target? target) =>
        target is null || target.KindCase == Target.KindOneofCase.None
            ? "-"
            : Target.Descriptor.FindFieldByNumber((int)target.KindCase).Name;
}
