using WalService.Api.V1;

namespace WalService.Bench;

/// <summary>What one call achieved: how many messages came back <c>durable = TRUE</c> and how many did not.</summary>
/// <param name="Durable">Messages answered TRUE (for Health/Check: 1 when SERVING).</param>
/// <param name="NotDurable">Messages answered FALSE, UNKNOWN or unspecified (for Health/Check: 1 when not SERVING).</param>
/// <param name="LastMessageId">Id of the last TRUE message of the call, for the drain check; null when there is none.</param>
/// <param name="Problem">The answer's message for the first message that was not TRUE, if any.</param>
internal readonly record struct CallOutcome(int Durable, int NotDurable, string? LastMessageId, string? Problem)
{
    public static CallOutcome Of(WriteToLogResponse response) => response.Durable == Trilean.True
        ? new CallOutcome(1, 0, response.MessageId, null)
        : new CallOutcome(0, 1, null, Describe(response));

    public static CallOutcome Of(WriteToLogBatchResponse response)
    {
        int durable = 0, notDurable = 0;
        string? lastId = null, problem = null;
        foreach (var result in response.Results)
        {
            if (result.Durable == Trilean.True)
            {
                durable++;
                lastId = result.MessageId;
            }
            else
            {
                notDurable++;
                problem ??= Describe(result);
            }
        }

        return new CallOutcome(durable, notDurable, lastId, problem);
    }

    private static string Describe(WriteToLogResponse response) =>
        $"durable={response.Durable} code={response.Code} {response.Message}";
}
