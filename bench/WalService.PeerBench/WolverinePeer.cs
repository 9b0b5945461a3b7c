using JasperFx;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wolverine;
using Wolverine.Postgresql;

namespace WalService.PeerBench;

/// <summary>
/// Wolverine as a peer, in this process as its users run it: PostgreSQL message storage, a durable local queue with
/// as many parallel handlers as WalService's consumer concurrency, and producers calling <c>ScheduleAsync</c> with the
/// due time. Its scheduled-job poller is tightened from its default (5 s) to 100 ms, and starts at once.
/// </summary>
internal sealed class WolverinePeer(IHost host) : HostedPeer(host)
{
    public override string Producers => "in-process IMessageBus.ScheduleAsync(message, due time), one message a call, durable local queue";

    public static async Task<WolverinePeer> StartAsync(PeerSettings settings, string connectionString, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseWolverine(options =>
        {
            options.PersistMessagesWithPostgresql(connectionString, "wolverine");
            options.AutoBuildMessageStorageOnStartup = AutoCreate.CreateOrUpdate;
            options.Durability.Mode = DurabilityMode.Solo;
            options.Durability.ScheduledJobFirstExecution = TimeSpan.Zero;
            options.Durability.ScheduledJobPollingTime = TimeSpan.FromMilliseconds(100);
            options.Discovery.DisableConventionalDiscovery().IncludeType<WolverineHandler>();
            options.LocalQueue("peer").UseDurableInbox().MaximumParallelMessages(settings.HandlerConcurrency);
            options.PublishMessage<WolverineMessage>().ToLocalQueue("peer");
        });
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new WolverinePeer(host);
    }

    public override async Task<bool> EnqueueAsync(int caller, long sequence, long dueUnixMicroseconds, byte[] payload, CancellationToken cancellationToken)
    {
        var bus = Services.GetRequiredService<IMessageBus>();
        await bus.ScheduleAsync(new WolverineMessage(payload), DateTimeOffset.UnixEpoch.AddTicks(dueUnixMicroseconds * 10));
        return true;
    }
}

/// <summary>The message Wolverine carries: the run's payload.</summary>
public sealed record WolverineMessage(byte[] Payload);

/// <summary>Wolverine's handler of <see cref="WolverineMessage"/>: records its arrival.</summary>
public sealed class WolverineHandler
{
    public static void Handle(WolverineMessage message) => ArrivalLog.Current.Record(message.Payload);
}
