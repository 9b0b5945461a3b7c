using System.Threading.Channels;
using DotNetCore.CAP;
using DotNetCore.CAP.Messages;
using DotNetCore.CAP.Transport;
using Microsoft.Extensions.DependencyInjection;

namespace WalService.PeerBench;

/// <summary>
/// The lightest CAP transport: an unbounded in-process queue. CAP sends a message to it once the message is stored in
/// its outbox (and its delay has passed); the consumer client hands it to CAP's subscriber executor. Nothing is kept
/// across a restart of the process, which a peer run does not do.
/// </summary>
internal sealed class CapMemoryTransport : ITransport
{
    private readonly Channel<TransportMessage> _queue = Channel.CreateUnbounded<TransportMessage>();

    public BrokerAddress BrokerAddress { get; } = new("memory", "in-process");

    public Task<OperateResult> SendAsync(TransportMessage message)
    {
        _queue.Writer.TryWrite(message);
        return Task.FromResult(OperateResult.Success);
    }

    /// <summary>Registers the transport with CAP.</summary>
    internal sealed class Extension : ICapOptionsExtension
    {
        public void AddServices(IServiceCollection services)
        {
            services.AddSingleton(new CapMessageQueueMakerService("memory"));
            services.AddSingleton<CapMemoryTransport>();
            services.AddSingleton<ITransport>(p => p.GetRequiredService<CapMemoryTransport>());
            services.AddSingleton<IConsumerClientFactory, ClientFactory>();
        }
    }

    private sealed class ClientFactory(CapMemoryTransport transport) : IConsumerClientFactory
    {
        public Task<IConsumerClient> CreateAsync(string groupName, byte groupConcurrent) => Task.FromResult<IConsumerClient>(new Client(transport, groupName));
    }

    /// <summary>A consumer of group <paramref name="group"/>: like a broker's consumer, it names its group in each message it hands on.</summary>
    private sealed class Client(CapMemoryTransport transport, string group) : IConsumerClient
    {
        public BrokerAddress BrokerAddress => transport.BrokerAddress;

        public Func<TransportMessage, object?, Task>? OnMessageCallback { get; set; }

        public Action<LogMessageEventArgs>? OnLogCallback { get; set; }

        public Task<ICollection<string>> FetchTopicsAsync(IEnumerable<string> topicNames) => Task.FromResult<ICollection<string>>([.. topicNames]);

        public Task SubscribeAsync(IEnumerable<string> topics) => Task.CompletedTask;

        public async Task ListeningAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            await foreach (var message in transport._queue.Reader.ReadAllAsync(cancellationToken))
            {
                message.Headers[Headers.Group] = group;
                await OnMessageCallback!(message, null);
            }
        }

        public Task CommitAsync(object? sender) => Task.CompletedTask;

        public Task RejectAsync(object? sender) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
