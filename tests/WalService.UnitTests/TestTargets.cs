using Microsoft.Extensions.Options;
using WalService.Api.V1;
using WalService.Core.Abstractions;
using WalService.Core.Runtime;
using WalService.Targets.Http;
using WalService.Targets.Kv;
using WalService.Targets.Noop;

namespace WalService.UnitTests;

/// <summary>A target catalog with the real handlers; nothing here delivers, so their dependencies are inert fakes.</summary>
internal static class TestTargets
{
    public static TargetCatalog Catalog { get; } = new(
    [
        new NoopTargetHandler(),
        new HttpTargetHandler(new NoClients(), TimeProvider.System, Options.Create(new HttpTargetOptions())),
        new KvTargetHandler([new NoKvStore()]),
    ]);

    private sealed class NoClients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => throw new InvalidOperationException("validation must not send requests");
    }

    private sealed class NoKvStore : IKvStore
    {
        public string Name => "embedded";

        public Task EnsureTableAsync(string table, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<bool> ApplyAsync(string ns, string messageId, string defaultTable, KvMutationBatch batch, CancellationToken cancellationToken) =>
            Task.FromResult(true);

        public Task<byte[]?> GetAsync(string table, string partitionKey, string sortKey, CancellationToken cancellationToken) =>
            Task.FromResult<byte[]?>(null);
    }
}
