using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace TaskQueue.Dashboard;

/// <summary>
/// Protects the dashboard's actions against cross-site request forgery, with no service to register:
/// a random token per browser session lives in an HttpOnly, SameSite=Strict cookie scoped to the
/// dashboard, and every form carries the same value. An action is refused unless the two match and
/// the browser does not say the request came from another origin.
/// </summary>
/// <remarks>
/// A page of another site cannot read the token, and its browser does not send a SameSite=Strict
/// cookie on a cross-site post. A sibling subdomain counts as the same site and could plant a cookie
/// of its own choosing; the origin check refuses its posts (browsers send <c>Origin</c> and
/// <c>Sec-Fetch-Site</c> on every POST). Clients that send neither header (curl, scripts) still need
/// the cookie and the field.
/// </remarks>
internal static class RequestTokens
{
    public const string CookieName = "taskqueue-dashboard-token";
    public const string FieldName = "token";
    private const int TokenBytes = 32;

    /// <summary>The session's token, issued (as a cookie on the response) when the request has none.</summary>
    public static string Issue(HttpContext context, string cookiePath)
    {
        if (context.Request.Cookies.TryGetValue(CookieName, out var existing) && IsWellFormed(existing)) return existing;
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(TokenBytes));
        context.Response.Cookies.Append(CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = cookiePath.Length == 0 ? "/" : cookiePath,
            IsEssential = true,
        });
        return token;
    }

    /// <summary>Null when the post may go on; otherwise the status to refuse it with and why.</summary>
    public static (int Status, string Why)? Check(HttpContext context, IFormCollection form)
    {
        var request = context.Request;
        if (request.Headers.TryGetValue("Sec-Fetch-Site", out var site) && site.ToString() != "same-origin")
        {
            return (StatusCodes.Status403Forbidden, "Refused: the request came from another site.");
        }
        if (request.Headers.Origin is { Count: > 0 } origin && !string.Equals(origin.ToString(), OriginOf(request), StringComparison.OrdinalIgnoreCase))
        {
            return (StatusCodes.Status403Forbidden, "Refused: the request came from another origin.");
        }
        var sent = form[FieldName].ToString();
        if (!request.Cookies.TryGetValue(CookieName, out var expected) || !IsWellFormed(expected) || !IsWellFormed(sent)
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(sent), Encoding.ASCII.GetBytes(expected)))
        {
            return (StatusCodes.Status400BadRequest, "Refused: the form's token is missing or does not match this browser's; reload the page and try again.");
        }
        return null;
    }

    private static string OriginOf(HttpRequest request) => request.Scheme + "://" + request.Host.ToUriComponent();

    private static bool IsWellFormed(string? token)
        => token is { Length: > 0 and <= 64 } && Base64Url.IsValid(token, out int decoded) && decoded == TokenBytes;
}
