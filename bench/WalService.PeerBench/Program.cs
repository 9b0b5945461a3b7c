using System.CommandLine;
using WalService.PeerBench;

var startServer = new Option<string?>("--start-server") { Description = "path of WalService.Server.dll, started by the bench for the WalService systems" };
var systems = new Option<string>("--systems") { Description = "comma-separated systems, run in this order: " + string.Join(", ", PeerSettings.AllSystems), DefaultValueFactory = _ => string.Join(',', PeerSettings.AllSystems) };
var messages = new Option<int>("--messages") { Description = "durable delayed messages each system is given", DefaultValueFactory = _ => 20_000 };
var concurrency = new Option<int>("--concurrency") { Description = "concurrent callers writing them", DefaultValueFactory = _ => 64 };
var consumerConcurrency = new Option<int>("--consumer-concurrency") { Description = "WalService's consumer concurrency, and every peer's handler concurrency", DefaultValueFactory = _ => 4 };
var payloadBytes = new Option<int>("--payload-bytes") { Description = "payload size of every message", DefaultValueFactory = _ => 100 };
var warmup = new Option<int>("--warmup") { Description = "messages each system is given first, due at once and not measured", DefaultValueFactory = _ => 500 };
var delayMin = new Option<double>("--delay-min") { Description = "shortest delay, in seconds", DefaultValueFactory = _ => 0.5 };
var delayMax = new Option<double>("--delay-max") { Description = "longest delay, in seconds", DefaultValueFactory = _ => 3 };
var fault = new Option<double>("--fault") { Description = "seconds PostgreSQL stays stopped once half the messages were attempted (0: no fault)", DefaultValueFactory = _ => 5 };
var errorPause = new Option<double>("--error-pause") { Description = "milliseconds a caller waits after a failed write before its next one", DefaultValueFactory = _ => 100 };
var deadline = new Option<double>("--deadline") { Description = "seconds after the last due time a written message may still arrive; later it counts as lost", DefaultValueFactory = _ => 60 };
var markdown = new Option<bool>("--markdown") { Description = "print the table as markdown for docs/performance.md" };
var peer = new Option<string?>("--peer") { Description = "internal: run this one system in this process (the run starts such a child per system)", Hidden = true };
var connectionString = new Option<string?>("--connection-string") { Description = "internal: the child's PostgreSQL database", Hidden = true };

var root = new RootCommand("Peer benchmark: WalService (embedded log; PostgreSQL control plane) against Hangfire, Wolverine and CAP on one PostgreSQL server started for the run: durable delayed enqueues, delivery lateness, CPU, memory and a 5 s PostgreSQL outage.")
{
    startServer, systems, messages, concurrency, consumerConcurrency, payloadBytes, warmup, delayMin, delayMax, fault, errorPause, deadline, markdown, peer, connectionString,
};

root.SetAction(async (result, cancellationToken) =>
{
    var settings = new PeerSettings
    {
        ServerDll = result.GetValue(startServer),
        Systems = (result.GetValue(systems) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        Messages = result.GetValue(messages),
        Concurrency = result.GetValue(concurrency),
        HandlerConcurrency = result.GetValue(consumerConcurrency),
        PayloadBytes = result.GetValue(payloadBytes),
        Warmup = result.GetValue(warmup),
        DelayMin = TimeSpan.FromSeconds(result.GetValue(delayMin)),
        DelayMax = TimeSpan.FromSeconds(result.GetValue(delayMax)),
        Fault = TimeSpan.FromSeconds(result.GetValue(fault)),
        ErrorPause = TimeSpan.FromMilliseconds(result.GetValue(errorPause)),
        Deadline = TimeSpan.FromSeconds(result.GetValue(deadline)),
        Markdown = result.GetValue(markdown),
    };

    if (result.GetValue(peer) is { } child)
    {
        return await PeerChild.RunAsync(child, result.GetValue(connectionString) ?? string.Empty, settings, Console.Out, cancellationToken);
    }

    var problems = settings.Problems().ToList();
    foreach (var problem in problems)
    {
        Console.Error.WriteLine(problem);
    }

    if (problems.Count > 0)
    {
        return 2;
    }

    var results = await PeerRun.RunAsync(settings, Console.Out, cancellationToken);
    PeerTable.Write(results, settings, settings.Markdown, Console.Out);
    return 0;
});

return await root.Parse(args).InvokeAsync();
