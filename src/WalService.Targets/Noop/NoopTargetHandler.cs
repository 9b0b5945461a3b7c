using WalService.Api.V1;
using WalService.Core.Abstractions;

namespace WalService.Targets.Noop;

/// <summary>Takes every message and does nothing with it: for tests, benchmarks and draining a namespace.</summary>
public sealed class NoopTargetHandler : ITargetHandler
{
    public Target.KindOneofCase Kind => Target.KindOneofCase.Noop;

    public IEnumerable<string> Validate(Target target, string fieldPath) => [];

    public Task PrepareAsync(Target target, CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask<DeliveryOutcome> DeliverAsync(Target target, Delivery delivery, CancellationToken cancellationToken) =>
        ValueTask.FromResult(DeliveryOutcome.Applied);
}
