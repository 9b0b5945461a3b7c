namespace WalService.Client;

/// <summary>
/// How far <see cref="WalClient.WriteTransactionAsync"/> has come: chunks made durable out of all the transaction's
/// chunks, and the bytes of their payloads out of all the payloads' bytes.
/// </summary>
public readonly record struct TransactionProgress(int ChunksDurable, int ChunkCount, long BytesDurable, long TotalBytes);
