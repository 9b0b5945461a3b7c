namespace WalService.Core.Model;

/// <summary>Where a namespace's log lives.</summary>
public enum BackendKind
{
    Embedded,
    Kafka,
    Sqs,
}
