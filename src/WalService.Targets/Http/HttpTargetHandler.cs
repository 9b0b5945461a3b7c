using System.Globalization;
using System.Net.Http.Headers;
using Polly;
using Polly.Timeout;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;

namespace WalService.Targets.Http;

/// <summary>
/// POSTs the payload to <c>HttpTarget.url</c> through one pooled <see cref="HttpClient"/> from
/// <see cref="IHttpClientFactory"/>; the per-target timeout is a Polly timeout strategy. Request headers: the target's,
/// then the message's, then <c>wal-message-id</c>, <c>wal-namespace</c>, <c>wal-attempt</c> (1-based) and
/// <c>wal-original-write-time</c> (RFC 3339).
/// </summary>
public sealed class HttpTargetHandler : ITargetHandler
{
    public const string ClientName = "wal-http-target";
    private static readonly ResiliencePropertyKey<TimeSpan> TimeoutKey = new("wal.http.timeout");
    private static readonly MediaTypeHeaderValue OctetStream = new("application/octet-stream");
    private readonly IHttpClientFactory _clients;
    private readonly ResiliencePipeline _pipeline;

    public HttpTargetHandler(IHttpClientFactory clients, TimeProvider time)
    {
        _clients = clients;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddTimeout(new TimeoutStrategyOptions
            {
                TimeoutGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(TimeoutKey, NamespaceDefaults.HttpTimeout)),
            })
            .Build();
    }

    public Target.KindOneofCase Kind => Target.KindOneofCase.Http;

    public IEnumerable<string> Validate(Target target, string fieldPath)
    {
        ArgumentNullException.ThrowIfNull(target);
        var http = target.Http;
        if (!Uri.TryCreate(http.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            yield return $"{fieldPath}.http.url '{http.Url}' must be an absolute http:// or https:// URL";
        }

        if (http.Timeout is { } timeout && (timeout.Seconds < 0 || timeout.Nanos < 0 || timeout.ToTimeSpan() > TimeSpan.FromMinutes(10)))
        {
            yield return $"{fieldPath}.http.timeout must be between 0 (default 10s) and 10 minutes";
        }
    }

    public Task PrepareAsync(Target target, CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask<DeliveryOutcome> DeliverAsync(Target target, Delivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(delivery);
        var http = target.Http;
        var timeout = http.Timeout?.ToTimeSpan() is { } t && t > TimeSpan.Zero ? t : NamespaceDefaults.HttpTimeout;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(TimeoutKey, timeout);
        try
        {
            using var response = await _pipeline.ExecuteAsync(
                static async (ctx, state) =>
                {
                    using var request = BuildRequest(state.http, state.delivery);
                    return await state.client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ctx.CancellationToken);
                },
                context,
                (http, delivery, client: _clients.CreateClient(ClientName)));
            var status = (int)response.StatusCode;
            var verdict = HttpStatusClassifier.Classify(status);
            return verdict == DeliveryVerdict.Applied
                ? DeliveryOutcome.Applied
                : new DeliveryOutcome(verdict, $"HTTP {status} {response.ReasonPhrase} from {http.Url}");
        }
        catch (TimeoutRejectedException)
        {
            return DeliveryOutcome.Retry($"no answer from {http.Url} within {timeout.TotalSeconds:0.###}s");
        }
        catch (HttpRequestException ex)
        {
            return DeliveryOutcome.Retry($"could not reach {http.Url}: {ex.Message}");
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static HttpRequestMessage BuildRequest(HttpTarget http, Delivery delivery)
    {
        var envelope = delivery.Envelope;
        var request = new HttpRequestMessage(HttpMethod.Post, http.Url)
        {
            Content = new ReadOnlyMemoryContent(envelope.Payload),
        };
        request.Content.Headers.ContentType = OctetStream;
        foreach (var (name, value) in http.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        foreach (var (name, value) in envelope.Meta.Headers)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }

        Set(request, "wal-message-id", envelope.MessageId);
        Set(request, "wal-namespace", delivery.Namespace);
        Set(request, "wal-attempt", delivery.Attempt.ToString(CultureInfo.InvariantCulture));
        Set(request, "wal-original-write-time", envelope.OriginalWriteTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        return request;
    }

    private static void Set(HttpRequestMessage request, string name, string value)
    {
        request.Headers.Remove(name);
        request.Headers.TryAddWithoutValidation(name, value);
    }
}
