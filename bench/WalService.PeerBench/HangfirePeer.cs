using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;

namespace WalService.PeerBench;

/// <summary>
/// Hangfire as a peer, in this process as its users run it: PostgreSQL job storage, producers calling
/// <c>BackgroundJobClient.Schedule</c> with the due time, and a <c>BackgroundJobServer</c> with as many workers as
/// WalService's consumer concurrency. Its pollers are tightened from their defaults (15 s) so that delays of seconds
/// can be met: the scheduler looks for due jobs and idle workers for enqueued ones every 100 ms.
/// </summary>
internal sealed class HangfirePeer : InProcessPeer
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(100);
    private readonly BackgroundJobServer _server;
    private readonly BackgroundJobClient _client;

    private HangfirePeer(BackgroundJobServer server, BackgroundJobClient client)
    {
        _server = server;
        _client = client;
    }

    public override string Producers => "in-process BackgroundJobClient.Schedule(job, due time), one job a call";

    public static HangfirePeer Start(PeerSettings settings, string connectionString)
    {
        var options = new PostgreSqlStorageOptions { QueuePollInterval = PollEvery, PrepareSchemaIfNecessary = true };
        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
        var server = new BackgroundJobServer(
            new BackgroundJobServerOptions { WorkerCount = settings.HandlerConcurrency, SchedulePollingInterval = PollEvery },
            storage);
        return new HangfirePeer(server, new BackgroundJobClient(storage));
    }

    public override Task<bool> EnqueueAsync(int caller, long sequence, long dueUnixMicroseconds, byte[] payload, CancellationToken cancellationToken)
    {
        var due = DateTimeOffset.UnixEpoch.AddTicks(dueUnixMicroseconds * 10);
        _client.Schedule(() => HangfireJob.Run(payload), due);
        return Task.FromResult(true);
    }

    public override ValueTask DisposeAsync()
    {
        _server.SendStop();
        _server.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The job Hangfire runs for each message: records its arrival.</summary>
public static class HangfireJob
{
    public static void Run(byte[] payload) => ArrivalLog.Current.Record(payload);
}
