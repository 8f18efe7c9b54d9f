using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace TaskQueue.Dashboard;

/// <summary>
/// The stylesheet and the script, embedded in this assembly and served from it. Pages link them with
/// a version taken from their content, so a browser can keep them and still sees a new release at once.
/// </summary>
internal static class Assets
{
    private static readonly Asset Stylesheet = Load("dashboard.css", "text/css; charset=utf-8");
    private static readonly Asset Script = Load("dashboard.js", "text/javascript; charset=utf-8");

    public static string StylesheetPath { get; } = "/assets/dashboard.css?v=" + Stylesheet.Version;

    public static string ScriptPath { get; } = "/assets/dashboard.js?v=" + Script.Version;

    /// <summary>Answers a request for one asset by name: 404 for names it does not have, 304 when the browser's copy is current.</summary>
    public static Task ServeAsync(HttpContext context, string? name)
    {
        var asset = name switch
        {
            "dashboard.css" => Stylesheet,
            "dashboard.js" => Script,
            _ => null,
        };
        var response = context.Response;
        SecurityHeaders.Apply(response, cacheable: asset is not null);
        if (asset is null)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        // Private: the assets sit behind the dashboard's access check, so shared caches must not keep them.
        response.Headers.CacheControl = "private, max-age=86400";
        response.Headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch.ToString() == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Bytes.Length;
        return response.Body.WriteAsync(asset.Bytes, context.RequestAborted).AsTask();
    }

    private static Asset Load(string name, string contentType)
    {
        using var stream = typeof(Assets).Assembly.GetManifestResourceStream("TaskQueue.Dashboard." + name)
            ?? throw new InvalidOperationException($"The dashboard's {name} is not embedded in {typeof(Assets).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        var version = Convert.ToHexStringLower(SHA256.HashData(bytes))[..12];
        return new Asset(bytes, contentType, version, new EntityTagHeaderValue('"' + version + '"').ToString());
    }

    private sealed record Asset(byte[] Bytes, string ContentType, string Version, string ETag);
}
