namespace WalService.Bench;

/// <summary>
/// The delivery-timing modes (<c>--mode lateness|ordered|first-delivery|retry</c>): an HTTP target in the bench on
/// loopback (<see cref="TimingTarget"/>), namespaces of the run's backend created for the mode and deleted after it,
/// and the mode's figures against the targets.
/// </summary>
internal static class TimingBench
{
    public static async Task<TimingReport> RunAsync(BenchSettings settings, BenchCluster? cluster, ServerProcess? server, TextWriter output, CancellationToken cancellationToken)
    {
        await using var target = await TimingTarget.StartAsync();
        output.WriteLine($"target: {target.BaseAddress}");
        using var context = new TimingContext(settings, target, cluster);
        try
        {
            return settings.Mode switch
            {
                "lateness" => await LatenessBench.RunAsync(context, output, cancellationToken),
                "ordered" => await OrderedBench.RunAsync(context, output, cancellationToken),
                "first-delivery" => await FirstDeliveryBench.RunAsync(context, server, output, cancellationToken),
                "retry" => await RetryBench.RunAsync(context, output, cancellationToken),
                _ => throw new InvalidOperationException($"no timing mode '{settings.Mode}'"),
            };
        }
        finally
        {
            await context.DeleteCreatedAsync();
        }
    }
}
