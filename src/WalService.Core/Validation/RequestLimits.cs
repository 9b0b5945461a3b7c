namespace WalService.Core.Validation;

/// <summary>
/// Bounds on the names and ids a request carries, checked before any look-up: what exceeds them cannot name anything
/// the server holds, and is answered INVALID_ARGUMENT naming the field.
/// </summary>
public static class RequestLimits
{
    /// <summary>The longest namespace name: 128 characters (<c>^[a-z0-9][a-z0-9._-]{0,127}$</c>).</summary>
    public const int MaxNamespaceLength = 128;

    /// <summary>The longest message id a request may name: 128 characters (the service's own ids have 26).</summary>
    public const int MaxMessageIdLength = 128;

    /// <summary>The most message ids one redrive or purge may name.</summary>
    public const int MaxMessageIds = 10_000;

    /// <summary>A required namespace name of at most <see cref="MaxNamespaceLength"/> characters; null when it is one.</summary>
    public static string? Namespace(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            return $"{field} is required";
        }

        return value.Length > MaxNamespaceLength
            ? $"{field} is {value.Length} characters; a namespace name has at most {MaxNamespaceLength}"
            : null;
    }

    /// <summary>A required message id of at most <see cref="MaxMessageIdLength"/> characters; null when it is one.</summary>
    public static string? MessageId(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            return $"{field} is required";
        }

        return value.Length > MaxMessageIdLength
            ? $"{field} is {value.Length} characters; a message id has at most {MaxMessageIdLength}"
            : null;
    }

    /// <summary>A list of message ids (empty = all): at most <see cref="MaxMessageIds"/>, each a valid <see cref="MessageId"/>.</summary>
    public static string? MessageIds(IReadOnlyList<string> values, string field)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count > MaxMessageIds)
        {
            return $"{field} names {values.Count} ids; at most {MaxMessageIds} per call";
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (MessageId(values[i], $"{field}[{i}]") is { } invalid)
            {
                return invalid;
            }
        }

        return null;
    }
}
