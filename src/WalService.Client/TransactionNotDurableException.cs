using WalService.Api.V1;

namespace WalService.Client;

/// <summary>
/// A chunk of a transaction was still not durable after <see cref="WalClient.WriteTransactionAsync"/>'s tries. The chunks
/// made durable stay staged: sending the transaction again with the same id completes it.
/// </summary>
public sealed class TransactionNotDurableException : InvalidOperationException
{
    public TransactionNotDurableException()
    {
    }

    public TransactionNotDurableException(string message)
        : base(message)
    {
    }

    public TransactionNotDurableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TransactionNotDurableException(string transactionId, int sequence, int tries, WriteToLogResponse lastAnswer)
        : base($"chunk {sequence} of transaction '{transactionId}' not durable after {tries} tries: {(lastAnswer ?? throw new ArgumentNullException(nameof(lastAnswer))).Message}")
    {
        TransactionId = transactionId;
        Sequence = sequence;
        LastAnswer = lastAnswer.Durable;
    }

    /// <summary>The transaction whose chunk was not durable.</summary>
    public string TransactionId { get; } = string.Empty;

    /// <summary>The chunk's sequence.</summary>
    public int Sequence { get; }

    /// <summary>The last answer to that chunk: FALSE (certainly not staged) or UNKNOWN.</summary>
    public Trilean LastAnswer { get; } = Trilean.Unspecified;
}
