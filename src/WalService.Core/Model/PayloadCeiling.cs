namespace WalService.Core.Model;

/// <summary>
/// The largest payload one message of a backend carries, as the backend declares it (registered in the service
/// collection with the backend). A namespace on that backend without a <c>max_payload_bytes</c> of its own takes the
/// smaller of this and <see cref="NamespaceDefaults.MaxPayloadBytes"/>; the backend refuses a larger
/// <c>max_payload_bytes</c> when the namespace is created or updated. A backend that declares none carries up to the default.
/// </summary>
/// <param name="Backend">The backend.</param>
/// <param name="MaxPayloadBytes">Bytes of payload, headers included.</param>
public sealed record PayloadCeiling(BackendKind Backend, int MaxPayloadBytes);
