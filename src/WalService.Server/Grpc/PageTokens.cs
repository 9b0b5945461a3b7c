using System.Buffers.Text;
using System.Text;
using Grpc.Core;

namespace WalService.Server.Grpc;

/// <summary>Opaque page tokens: the last key of the previous page, base64url-encoded.</summary>
internal static class PageTokens
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    public static string Encode(string lastKey) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(lastKey));

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
            throw new RpcException(new Status(StatusCode.InvalidArgument, "page_token is not a token this server issued"));
        }
    }

    public static int Size(int requested)
    {
        if (requested < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "page_size must not be negative"));
        }

        return requested == 0 ? DefaultPageSize : Math.Min(requested, MaxPageSize);
    }
}
