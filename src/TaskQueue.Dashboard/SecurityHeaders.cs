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
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void Apply(HttpResponse response, bool cacheable = false)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        // Not no-referrer: under it a browser sends "Origin: null" with the dashboard's own posts, which
        // the origin check must refuse. Same-origin keeps dashboard URLs from other sites all the same.
        headers["Referrer-Policy"] = "same-origin";
        if (!cacheable) headers.CacheControl = "no-store";
    }
}
