using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Amazon;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Options;

namespace WalService.Sqs;

/// <summary>
/// The one <see cref="AmazonSQSClient"/> of this server (created on first use, so a server without SQS namespaces
/// needs no AWS settings), the URLs of the queues it has looked up, and the backend's <see cref="SqsMetrics"/>.
/// </summary>
internal sealed partial class SqsQueues(IOptions<SqsOptions> options, SqsMetrics metrics) : IDisposable
{
    /// <summary>What SQS accepts as a standard queue name, for error messages.</summary>
    public const string NameRule = "1-80 of a-z A-Z 0-9 _ -";

    /// <summary>What SQS accepts as a FIFO queue name, for error messages.</summary>
    public const string FifoNameRule = "1-75 of a-z A-Z 0-9 _ - followed by .fifo";
    private readonly Lazy<AmazonSQSClient> _client = new(() => CreateClient(options.Value));
    private readonly ConcurrentDictionary<string, string> _urls = new(StringComparer.Ordinal);

    public AmazonSQSClient Client => _client.Value;

    public SqsOptions Options => options.Value;

    public SqsMetrics Metrics => metrics;

    /// <summary>Whether <paramref name="queue"/> (a name or a URL) is a FIFO queue's: SQS names those with <c>.fifo</c> at the end.</summary>
    public static bool IsFifo(string queue) => queue.EndsWith(SqsNamespace.FifoSuffix, StringComparison.Ordinal);

    /// <summary>Whether SQS accepts <paramref name="queue"/> as the name of a standard (<see cref="NameRule"/>) or FIFO (<see cref="FifoNameRule"/>) queue.</summary>
    public static bool IsLegalName(string queue, bool fifo) => fifo ? FifoQueuePattern().IsMatch(queue) : QueuePattern().IsMatch(queue);

    /// <summary>The queue's URL; throws <see cref="QueueDoesNotExistException"/> when it does not exist.</summary>
    public async Task<string> UrlAsync(string queue, CancellationToken cancellationToken)
    {
        if (_urls.TryGetValue(queue, out var url))
        {
            return url;
        }

        var response = await Client.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = queue }, cancellationToken);
        return _urls[queue] = response.QueueUrl;
    }

    /// <summary>The queue's ARN; throws <see cref="QueueDoesNotExistException"/> when it does not exist.</summary>
    public async Task<string> ArnAsync(string queue, CancellationToken cancellationToken)
    {
        var response = await Client.GetQueueAttributesAsync(
            new GetQueueAttributesRequest { QueueUrl = await UrlAsync(queue, cancellationToken), AttributeNames = [QueueAttributeName.QueueArn] },
            cancellationToken);
        return response.QueueARN;
    }

    /// <summary>Creates the queue with <paramref name="attributes"/> unless it exists (then it is left as it is); answers whether it was created.</summary>
    public async Task<bool> EnsureAsync(string queue, CancellationToken cancellationToken, Dictionary<string, string>? attributes = null)
    {
        try
        {
            await UrlAsync(queue, cancellationToken);
            return false;
        }
        catch (QueueDoesNotExistException)
        {
            var created = await Client.CreateQueueAsync(new CreateQueueRequest { QueueName = queue, Attributes = attributes }, cancellationToken);
            _urls[queue] = created.QueueUrl;
            return true;
        }
    }

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }

    private static AmazonSQSClient CreateClient(SqsOptions options)
    {
        var config = new AmazonSQSConfig();
        if (!string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = string.IsNullOrEmpty(options.Region) ? "us-east-1" : options.Region;
        }
        else if (!string.IsNullOrEmpty(options.Region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        return new AmazonSQSClient(config);
    }

    // \z, not $: $ also matches before a final newline.
    [GeneratedRegex(@"^[a-zA-Z0-9_-]{1,80}\z")]
    private static partial Regex QueuePattern();

    [GeneratedRegex(@"^[a-zA-Z0-9_-]{1,75}\.fifo\z")]
    private static partial Regex FifoQueuePattern();
}
