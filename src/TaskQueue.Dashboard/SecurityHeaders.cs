using Microsoft.AspNetCore.Http;

namespace TaskQueue.Dashboard;

/// <summary>The headers every dashboard response carries.</summary>
internal static class SecurityHeaders
{
    /// <summary>
    /// Only this origin's script and stylesheet (served from the assembly), no inline script or
    /// style, forms that post only here, and no framing: an argument that slipped through encoding
    /// still could not run.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void Apply(HttpResponse response, bool cacheable = false)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        if (!cacheable) headers.CacheControl = "no-store";
    }
}
