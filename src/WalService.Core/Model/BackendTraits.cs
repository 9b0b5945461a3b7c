using WalService.Api.V1;

namespace WalService.Core.Model;

/// <summary>
/// What a backend cannot do for every namespace, as the backend declares it (registered in the service collection
/// with the backend). A backend that declares nothing carries up to the default payload and keeps write order for
/// ordering keys.
/// </summary>
/// <param name="Backend">The backend.</param>
/// <param name="MaxPayloadBytes">
/// The largest payload one message carries, headers included. A namespace on that backend without a
/// <c>max_payload_bytes</c> of its own takes the smaller of this and <see cref="NamespaceDefaults.MaxPayloadBytes"/>;
/// the backend refuses a larger <c>max_payload_bytes</c> when the namespace is created or updated.
/// </param>
/// <param name="OrderingKeyRefusal">
/// Why a namespace of this config cannot keep write order for an ordering key, naming the setting that would; null
/// when it can. A write naming an <c>ordering_key</c> there is refused rather than delivered out of order.
/// </param>
public sealed record BackendTraits(
    BackendKind Backend,
    int MaxPayloadBytes = int.MaxValue,
    Func<NamespaceConfig, string?>? OrderingKeyRefusal = null);
