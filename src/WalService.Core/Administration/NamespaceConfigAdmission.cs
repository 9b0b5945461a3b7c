using Grpc.Core;
using WalService.Api.V1;
using WalService.Core.Model;
using WalService.Core.Runtime;
using WalService.Core.Validation;

namespace WalService.Core.Administration;

/// <summary>
/// What a namespace config must pass before it is stored (created or updated): the config's own rules, the backend's
/// and the target's presence on this server and their rules; then both are prepared (topics, queues, tables), so the
/// namespace's first write finds them.
/// </summary>
internal sealed class NamespaceConfigAdmission(BackendCatalog backends, TargetCatalog targets)
{
    private const string Invalid = "invalid namespace config: ";

    /// <summary>
    /// INVALID_ARGUMENT naming every violation; UNIMPLEMENTED for a backend or target this build lacks; then prepares
    /// the backend and the target. <paramref name="current"/> is the stored config on an update.
    /// </summary>
    public async Task AdmitAsync(NamespaceConfig? config, NamespaceConfig? current, CancellationToken cancellationToken)
    {
        var errors = NamespaceConfigValidator.Validate(config, targets);
        if (errors.Count > 0)
        {
            throw RequestRejectedException.Invalid(Invalid + string.Join("; ", errors));
        }

        var settings = NamespaceSettings.From(new Namespace { Config = config });
        if (!backends.TryGet(settings.Backend, out var backend))
        {
            throw new RequestRejectedException(StatusCode.Unimplemented, $"config.{settings.Backend.ToString().ToLowerInvariant()}: this backend is not available on this server yet; use embedded");
        }

        var backendErrors = backend.Validate(config!, current).ToList();
        if (backendErrors.Count > 0)
        {
            throw RequestRejectedException.Invalid(Invalid + string.Join("; ", backendErrors));
        }

        if (targets.Unsupported(settings.Target, "config.target") is { } unsupported)
        {
            throw new RequestRejectedException(StatusCode.Unimplemented, $"{unsupported}: this target kind is not available on this server yet");
        }

        await backend.PrepareAsync(settings, cancellationToken);
        await targets.PrepareAsync(settings.Target, cancellationToken);
    }
}
