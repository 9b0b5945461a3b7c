using WalService.Core.Abstractions;
using WalService.Core.Model;

namespace WalService.Core.Runtime;

/// <summary>Splits a leased batch into what one delivery loop takes at a time.</summary>
internal static class KeyRuns
{
    /// <summary>
    /// A run per ordering key holding the batch's messages of that key in batch order (a backend leases them in write
    /// order), and a run of one for each message without a key; runs in the order their first message came.
    /// </summary>
    public static List<IReadOnlyList<LeasedMessage>> Of(IReadOnlyList<LeasedMessage> batch)
    {
        var runs = new List<IReadOnlyList<LeasedMessage>>(batch.Count);
        Dictionary<string, List<LeasedMessage>>? byKey = null;
        foreach (var message in batch)
        {
            var key = Replicas.OrderingScope(message.Envelope.Meta);
            if (key.Length == 0)
            {
                runs.Add([message]);
                continue;
            }

            byKey ??= new Dictionary<string, List<LeasedMessage>>(StringComparer.Ordinal);
            if (byKey.TryGetValue(key, out var run))
            {
                run.Add(message);
            }
            else
            {
                run = [message];
                byKey[key] = run;
                runs.Add(run);
            }
        }

        return runs;
    }
}
