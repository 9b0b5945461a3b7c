using System.Collections.Frozen;
using System.Text;
using WalService.Api.V1;
using WalService.Core.Model;

namespace WalService.Core.Validation;

/// <summary>Whose headers are checked: a writer's (the message's, or a target override's) or the platform team's.</summary>
public enum HeaderSource
{
    /// <summary><c>WriteToLogRequest.headers</c>, and the http headers of a target override: client input.</summary>
    Message,

    /// <summary><c>HttpTarget.headers</c> of a namespace's own target, set by whoever administers the namespace.</summary>
    Target,
}

/// <summary>
/// What a header may be, wherever it ends up (an HTTP request, a Kafka header, an SQS attribute). Names are HTTP
/// tokens (RFC 9110 <c>tchar</c>) compared case-insensitively, as HTTP does: names are carried as written, and two
/// names that differ only in case are refused. Values are text without control characters (HTAB is allowed; CR, LF,
/// NUL, the other C0 and C1 controls and DEL are not). Refused everywhere: names starting with <c>wal-</c> (the
/// service's own), names the connection or the service sets (see <see cref="ServiceOwned"/>). Refused from a writer
/// only: names that carry credentials or speak for the caller (see <see cref="PlatformOwned"/>), which the
/// namespace's target may set. At most <see cref="MaxHeaders"/> headers and <see cref="MaxHeaderBytes"/> of names and
/// values (UTF-8) together; a message's header bytes also count in its namespace's <c>max_payload_bytes</c>.
/// </summary>
public static class HeaderRules
{
    /// <summary>Most headers one message or target may carry.</summary>
    public const int MaxHeaders = 64;

    /// <summary>Most UTF-8 bytes of names and values together in one message's or target's headers (16 KiB).</summary>
    public const int MaxHeaderBytes = 16 * 1024;

    /// <summary>Names with this prefix (any case) are the service's: <c>wal-message-id</c>, <c>wal-attempt</c>, ...</summary>
    public const string ReservedPrefix = "wal-";

    private const int ShownNameLength = 40;
    private const string Tchar = "!#$%&'*+-.^_`|~";

    /// <summary>Set by the HTTP connection (framing, routing, hop-by-hop) or by the service (trace context): refused from anyone.</summary>
    public static readonly FrozenSet<string> ServiceOwned = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "host", "content-length", "transfer-encoding", "te", "trailer", "connection", "keep-alive", "upgrade",
        "proxy-connection", "traceparent", "tracestate", "baggage");

    /// <summary>Credentials, the body's meaning and what a receiver trusts about the caller: the namespace's target may set them, a writer may not.</summary>
    public static readonly FrozenSet<string> PlatformOwned = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "authorization", "proxy-authorization", "cookie", "set-cookie", "expect", "forwarded", "x-forwarded-for",
        "x-forwarded-host", "x-forwarded-proto", "x-real-ip");

    /// <summary>
    /// The header rules of one write: its headers (count, size, each name and value, and with its payload within
    /// <c>max_payload_bytes</c>), and the http headers of its target override when the namespace allows one.
    /// </summary>
    public static WriteRejection? ValidateWrite(WriteToLogRequest request, NamespaceSettings ns)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(ns);
        if (Check(request.Headers, "headers", HeaderSource.Message) is { } headerError)
        {
            return WriteRejection.Invalid(headerError);
        }

        var headerBytes = ByteCount(request.Headers);
        if (request.Payload.Length + headerBytes > ns.MaxPayloadBytes)
        {
            return WriteRejection.Invalid(
                $"payload ({request.Payload.Length} bytes) and headers ({headerBytes} bytes) together are {request.Payload.Length + headerBytes} bytes; namespace '{ns.Name}' allows max_payload_bytes={ns.MaxPayloadBytes}");
        }

        return ns.AllowTargetOverride && request.Target is { KindCase: Target.KindOneofCase.Http } target
            && Check(target.Http.Headers, "target.http.headers", HeaderSource.Message) is { } overrideError
            ? WriteRejection.Invalid(overrideError)
            : null;
    }

    /// <summary>The first violation among <paramref name="headers"/>, naming <paramref name="field"/> and the header; null when they are fine.</summary>
    public static string? Check(IEnumerable<KeyValuePair<string, string>> headers, string field, HeaderSource source)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var list = headers as IReadOnlyCollection<KeyValuePair<string, string>> ?? [.. headers];
        if (list.Count > MaxHeaders)
        {
            return $"{field}: {list.Count} headers exceed the limit of {MaxHeaders}";
        }

        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in list)
        {
            if ((CheckName(name, source) ?? CheckValue(value)) is { } problem)
            {
                return $"{field}[\"{Shown(name)}\"]: {problem}";
            }

            if (!seen.TryAdd(name, name))
            {
                return $"{field}[\"{Shown(name)}\"]: the same name as \"{Shown(seen[name])}\" (header names are case-insensitive)";
            }
        }

        var bytes = ByteCount(list);
        return bytes > MaxHeaderBytes ? $"{field}: {bytes} bytes of names and values exceed the limit of {MaxHeaderBytes}" : null;
    }

    /// <summary>Why <paramref name="name"/> may not be a header name from <paramref name="source"/>; null when it may.</summary>
    public static string? CheckName(string name, HeaderSource source)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            return "a header name must not be empty";
        }

        if (!IsToken(name))
        {
            return $"a header name must be an HTTP token (letters, digits and {Tchar})";
        }

        if (IsReserved(name))
        {
            return $"names starting with \"{ReservedPrefix}\" are set by the service";
        }

        if (ServiceOwned.Contains(name))
        {
            return "this header is set by the connection or the service, not by configuration";
        }

        return source == HeaderSource.Message && (PlatformOwned.Contains(name) || name.StartsWith("content-", StringComparison.OrdinalIgnoreCase))
            ? "this header may be set by the namespace's target only, not by a write"
            : null;
    }

    /// <summary>Why <paramref name="value"/> may not be a header value; null when it may.</summary>
    public static string? CheckValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        foreach (var c in value)
        {
            if (char.IsControl(c) && c != '\t')
            {
                return "value contains a control character";
            }
        }

        return null;
    }

    /// <summary>Whether the name is one of the service's <c>wal-*</c> headers, in any case.</summary>
    public static bool IsReserved(string name) => name.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>UTF-8 bytes of all names and values: what headers add to a message's size.</summary>
    public static long ByteCount(IEnumerable<KeyValuePair<string, string>> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        long bytes = 0;
        foreach (var (name, value) in headers)
        {
            bytes += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value);
        }

        return bytes;
    }

    private static bool IsToken(string name)
    {
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || Tchar.Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A header name as an error message may show it: at most 40 characters, controls and quotes escaped.</summary>
    public static string Shown(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var shown = new StringBuilder();
        foreach (var c in name.Length > ShownNameLength ? name[..ShownNameLength] : name)
        {
            shown.Append(char.IsControl(c) || c is '"' or '\\' ? $"\\u{(int)c:x4}" : c);
        }

        return name.Length > ShownNameLength ? shown.Append("...").ToString() : shown.ToString();
    }
}
