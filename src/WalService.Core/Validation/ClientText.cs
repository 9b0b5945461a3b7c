using System.Globalization;
using System.Text;

namespace WalService.Core.Validation;

/// <summary>
/// How an error message shows a piece of client input (a namespace, a message id, a name, a URL, a key): quoted,
/// control characters escaped, and cut to a short prefix, so that no message grows with what a client sent.
/// </summary>
public static class ClientText
{
    /// <summary>The most characters of client input a message shows.</summary>
    public const int DefaultMaxChars = 64;

    /// <summary>
    /// <paramref name="value"/> in single quotes; quotes, backslashes and control characters escaped (<c>\n</c>,
    /// <c>\u0000</c>); past <paramref name="maxChars"/> characters of input, cut and followed by its full length.
    /// </summary>
    public static string Quote(string? value, int maxChars = DefaultMaxChars)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxChars);
        value ??= string.Empty;
        var shown = value.Length <= maxChars ? value.Length : maxChars;
        if (shown > 0 && shown < value.Length && char.IsHighSurrogate(value[shown - 1]))
        {
            // Never split a surrogate pair: half of one is not text.
            shown--;
        }

        var builder = new StringBuilder(shown + 24);
        builder.Append('\'');
        for (var i = 0; i < shown; i++)
        {
            if (i + 1 < shown && char.IsSurrogatePair(value[i], value[i + 1]))
            {
                builder.Append(value, i, 2);
                i++;
            }
            else
            {
                Append(builder, value[i]);
            }
        }

        builder.Append('\'');
        if (shown < value.Length)
        {
            builder.Append(CultureInfo.InvariantCulture, $"... ({value.Length} characters)");
        }

        return builder.ToString();
    }

    private static void Append(StringBuilder builder, char c)
    {
        switch (c)
        {
            case '\'':
                builder.Append("\\'");
                break;
            case '\\':
                builder.Append("\\\\");
                break;
            case '\n':
                builder.Append("\\n");
                break;
            case '\r':
                builder.Append("\\r");
                break;
            case '\t':
                builder.Append("\\t");
                break;
            default:
                // Control, format (bidi overrides, zero-width) and separator characters, and a surrogate without its pair.
                if (char.IsControl(c) || char.IsSurrogate(c)
                    || char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
                {
                    builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                }
                else
                {
                    builder.Append(c);
                }

                break;
        }
    }
}
