using System.Buffers.Text;
using System.Text;

namespace WalService.Core.Administration;

/// <summary>Opaque page tokens: the last key of the previous page, base64url-encoded.</summary>
internal static class PageTokens
{
    /// <summary>The page size of a listing that asks for none: 100.</summary>
    public const int DefaultPageSize = 100;

    /// <summary>The largest page a listing answers: 1000; a larger size asked for is cut to it.</summary>
    public const int MaxPageSize = 1000;

    public static string Encode(string lastKey) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(lastKey));

    /// <summary>The key to list after; null for the first page (empty token); INVALID_ARGUMENT for a token this server did not issue.</summary>
    public static string? Decode(string token)
    {
        if (token.Length == 0)
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            throw RequestRejectedException.Invalid("page_token is not a token this server issued");
        }
    }

    /// <summary>The page size to use for <paramref name="requested"/> (0 = the default); INVALID_ARGUMENT when negative.</summary>
    public static int Size(int requested)
    {
        if (requested < 0)
        {
            throw RequestRejectedException.Invalid("page_size must not be negative");
        }

        return requested == 0 ? DefaultPageSize : Math.Min(requested, MaxPageSize);
    }
}
