using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WalService.Api.V1;
using WalService.Cli;
using WalService.LocalBackends;
using WalService.TestSupport;

namespace WalService.IntegrationTests;

/// <summary>The README's tour, step by step, with walctl against the in-process server and a real HTTP target.</summary>
public sealed partial class WalctlTourTests(WalServerFactory factory) : ServerTest(factory)
{
    [Fact]
    public async Task TheReadmeTourWorksAsWritten()
    {
        var example = JsonNode.Parse(await File.ReadAllTextAsync(ExamplePath(), Ct))!;
        example["name"] = Namespaces.UniqueName("orders");
        example["target"]!["http"]!["url"] = Target.Url("/switch");
        example["retry"]!["initialBackoff"] = "0.05s";
        var ns = example["name"]!.GetValue<string>();
        var file = Path.Combine(Factory.DataDirectory, "orders.json");
        await File.WriteAllTextAsync(file, example.ToJsonString(), Ct);

        var applied = await WalctlAsync("namespace", "apply", "-f", file);
        Assert.Equal((0, $"created {ns} (version 1)"), (applied.Code, applied.Out.Trim()));
        Assert.Contains("state:      ACTIVE", (await WalctlAsync("namespace", "get", ns)).Out, StringComparison.Ordinal);

        var delayed = await WalctlAsync("write", ns, "{\"order\": 1}", "--delay", "1s", "--header", "tenant=eu");
        var first = MessageId(delayed.Out);
        Assert.Contains("durable:    TRUE", delayed.Out, StringComparison.Ordinal);
        Assert.Contains("DELAYED", (await WalctlAsync("status", ns, first)).Out, StringComparison.Ordinal);
        var arrived = await Target.WaitForAppliedAsync(first, Deadline);
        Assert.Equal("eu", arrived.Headers["tenant"]);

        Target.SwitchStatus = 503;
        var second = MessageId((await WalctlAsync("write", ns, "{\"order\": 2}")).Out);
        await WaitForStateAsync(ns, second, MessageState.DeadLettered);
        var letters = await WalctlAsync("dlq", "list", ns);
        Assert.Contains(second, letters.Out, StringComparison.Ordinal);
        Assert.Contains("max_attempts 4", letters.Out, StringComparison.Ordinal);
        Assert.Equal(4, Target.For(second).Count);

        Target.SwitchStatus = 200;
        var redriven = await WalctlAsync("dlq", "redrive", ns);
        Assert.Equal("redriven 1", redriven.Out.Trim());
        var applied2 = await Target.WaitForAppliedAsync(second, Deadline);
        Assert.Equal(1, applied2.Attempt);
    }

    [Fact]
    public async Task WalctlReportsAnUnknownNamespaceWithItsExitCode()
    {
        var run = await WalctlAsync("status", "no-such-namespace", "01J0000000000000000000000");

        Assert.Equal(ExitCodes.NotFound, run.Code);
        Assert.StartsWith("error: NotFound:", run.Err, StringComparison.Ordinal);
    }

    private static string ExamplePath() => RepositoryRoot.File("docs", "examples", "orders.json");

    private static string MessageId(string output) => MessageIdLine().Match(output).Groups[1].Value;

    private async Task<(int Code, string Out, string Err)> WalctlAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await WalCtl.RunAsync(args, stdout, stderr, TextReader.Null, _ => Factory.CreateWalClient());
        return (code, stdout.ToString(), stderr.ToString());
    }

    [GeneratedRegex(@"message_id:\s+(\S+)")]
    private static partial Regex MessageIdLine();
}
