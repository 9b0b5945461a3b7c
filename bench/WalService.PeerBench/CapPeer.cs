using DotNetCore.CAP;
using DotNetCore.CAP.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace WalService.PeerBench;

/// <summary>
/// CAP as a peer, in this process as its users run it: PostgreSQL storage (its outbox), producers calling
/// <c>PublishDelayAsync</c> with the delay to the due time, and a subscriber run by as many parallel executors as
/// WalService's consumer concurrency. No CAP transport is served here but for its own packages, so the messages pass
/// from the outbox to the subscriber through <see cref="CapMemoryTransport"/>, an in-process queue.
/// </summary>
internal sealed class CapPeer : HostedPeer
{
    public const string Topic = "peer.message";

    /// <summary>The shortest delay CAP takes (it refuses zero): for a message already due when its call begins.</summary>
    private static readonly TimeSpan ShortestDelay = TimeSpan.FromMilliseconds(1);
    private readonly ICapPublisher _publisher;

    private CapPeer(IHost host)
        : base(host) => _publisher = host.Services.GetRequiredService<ICapPublisher>();

    public override string Producers => "in-process ICapPublisher.PublishDelayAsync(delay to the due time, message), one message a call; in-process queue as transport";

    public static async Task<CapPeer> StartAsync(PeerSettings settings, string connectionString, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<CapHandler>();
        builder.Services.AddCap(options =>
        {
            options.UsePostgreSql(connectionString);
            options.RegisterExtension(new CapMemoryTransport.Extension());
            options.EnableSubscriberParallelExecute = true;
            options.SubscriberParallelExecuteThreadCount = settings.HandlerConcurrency;
        });
        var host = builder.Build();

        // CAP makes its tables in the background once the host started, and a publish before that fails: make them
        // first (its statements are idempotent, so its own run finds them made).
        await host.Services.GetRequiredService<IStorageInitializer>().InitializeAsync(cancellationToken);
        await host.StartAsync(cancellationToken);

        return new CapPeer(host);
    }

    public override async Task<bool> EnqueueAsync(int caller, long sequence, long dueUnixMicroseconds, byte[] payload, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromTicks((dueUnixMicroseconds - WalService.Bench.TimingPayload.NowMicroseconds()) * 10);
        if (delay < ShortestDelay)
        {
            delay = ShortestDelay;
        }

        await _publisher.PublishDelayAsync(delay, Topic, new CapMessage(payload), cancellationToken: cancellationToken);
        return true;
    }
}

/// <summary>The message CAP carries: the run's payload.</summary>
public sealed record CapMessage(byte[] Payload);

/// <summary>CAP's subscriber of <see cref="CapPeer.Topic"/>: records each arrival.</summary>
public sealed class CapHandler : ICapSubscribe
{
    private readonly ArrivalLog _log = ArrivalLog.Current;

    [CapSubscribe(CapPeer.Topic)]
    public void Handle(CapMessage message) => _log.Record(message.Payload);
}
