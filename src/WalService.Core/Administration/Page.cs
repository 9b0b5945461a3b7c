namespace WalService.Core.Administration;

/// <summary>One page of a listing, in key order.</summary>
/// <param name="Items">At most the page size asked for.</param>
/// <param name="NextPageToken">Asks for the page after this one; empty on the last page.</param>
public sealed record Page<T>(IReadOnlyList<T> Items, string NextPageToken)
{
    /// <summary>
    /// The page of <paramref name="size"/> items out of <paramref name="read"/>, which holds up to one item more than
    /// the page: that one's presence says a next page exists, which starts after the page's last key.
    /// </summary>
    internal static Page<T> Of(IReadOnlyList<T> read, int size, Func<T, string> keyOf) =>
        read.Count > size
            ? new Page<T>([.. read.Take(size)], PageTokens.Encode(keyOf(read[size - 1])))
            : new Page<T>(read, string.Empty);
}
