using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Model;
using WalService.Core.Validation;

namespace WalService.Targets.Http;

/// <summary>
/// POSTs the payload to <c>HttpTarget.url</c> through one pooled <see cref="HttpClient"/> from
/// <see cref="IHttpClientFactory"/>; the per-target timeout is a Polly timeout strategy. Request headers: the target's,
/// then the message's where the target sets no header of that name, then <c>wal-message-id</c>, <c>wal-namespace</c>,
/// <c>wal-attempt</c> (1-based) and <c>wal-original-write-time</c> (RFC 3339); see <see cref="HttpDeliveryRequest"/>.
/// A target's URL must name a host of <see cref="HttpTargetOptions.AllowedHosts"/>, and its headers obey
/// <see cref="HeaderRules"/> for <see cref="HeaderSource.Target"/>.
/// </summary>
public sealed class HttpTargetHandler : ITargetHandler
{
    public const string ClientName = "wal-http-target";
    private static readonly ResiliencePropertyKey<TimeSpan> TimeoutKey = new("wal.http.timeout");
    private const int ShownUrlLength = 200;
    private readonly IHttpClientFactory _clients;
    private readonly HttpTargetOptions _options;
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeProvider _time;

    public HttpTargetHandler(IHttpClientFactory clients, TimeProvider time, IOptions<HttpTargetOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clients = clients;
        _time = time;
        _options = options.Value;
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
            yield return $"{fieldPath}.http.url '{Shown(http.Url)}' must be an absolute http:// or https:// URL";
        }
        else if (!_options.IsAllowed(uri.IdnHost))
        {
            yield return $"{fieldPath}.http.url: host '{Shown(uri.IdnHost)}' is not allowed by the server's {HttpTargetOptions.AllowedHostsSetting}";
        }

        if (HeaderRules.Check(http.Headers, $"{fieldPath}.http.headers", HeaderSource.Target) is { } headerError)
        {
            yield return headerError;
        }

        if (http.Timeout is { } timeout && (timeout.Seconds < 0 || timeout.Nanos < 0 || timeout.ToTimeSpan() > TimeSpan.FromMinutes(10)))
        {
            yield return $"{fieldPath}.http.timeout must be between 0 (default 10s) and 10 minutes";
        }
    }

    public Task PrepareAsync(Target target, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The target's <c>timeout</c>, or <see cref="NamespaceDefaults.HttpTimeout"/> when it is unset or zero.</summary>
    public TimeSpan DeliveryTimeout(Target target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.Http?.Timeout?.ToTimeSpan() is { } t && t > TimeSpan.Zero ? t : NamespaceDefaults.HttpTimeout;
    }

    public async ValueTask<DeliveryOutcome> DeliverAsync(Target target, Delivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(delivery);
        var http = target.Http;
        var timeout = DeliveryTimeout(target);
        if (Uri.TryCreate(http.Url, UriKind.Absolute, out var uri) && !_options.IsAllowed(uri.IdnHost))
        {
            // A namespace created before the host was taken off the list.
            return DeliveryOutcome.DeadLetter($"host '{Shown(uri.IdnHost)}' is not allowed by the server's {HttpTargetOptions.AllowedHostsSetting}");
        }

        using var request = HttpDeliveryRequest.TryBuild(http, delivery, out var refused);
        if (request is null)
        {
            return DeliveryOutcome.DeadLetter(refused!);
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(TimeoutKey, timeout);
        try
        {
            using var response = await _pipeline.ExecuteAsync(
                static async (ctx, state) => await state.client.SendAsync(state.request, HttpCompletionOption.ResponseHeadersRead, ctx.CancellationToken),
                context,
                (request, client: _clients.CreateClient(ClientName)));
            var status = (int)response.StatusCode;
            var verdict = HttpStatusClassifier.Classify(status);
            return verdict == DeliveryVerdict.Applied
                ? DeliveryOutcome.Applied
                : new DeliveryOutcome(verdict, $"HTTP {status} {response.ReasonPhrase} from {http.Url}", HttpStatusClassifier.RetryAfter(status, response.Headers.RetryAfter, _time.GetUtcNow()));
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

    private static string Shown(string text) => text.Length > ShownUrlLength ? text[..ShownUrlLength] + "..." : text;
}
