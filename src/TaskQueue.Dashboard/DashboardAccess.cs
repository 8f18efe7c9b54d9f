using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TaskQueue.Dashboard.Rendering;

namespace TaskQueue.Dashboard;

/// <summary>
/// Decides who may see the dashboard: loopback requests (when allowed), and any request that
/// satisfies the configured authorization policy. Everything under the dashboard's prefix goes
/// through it, assets included.
/// </summary>
internal static class DashboardAccess
{
    // Headers a reverse proxy adds for the client it forwards. When the app's forwarded-headers
    // middleware trusted the proxy it has already replaced RemoteIpAddress and removed the header it
    // read; one still here was not accepted, so the loopback address is the proxy's, not the client's.
    private static readonly string[] ProxyHeaders = ["X-Forwarded-For", "X-Real-IP", "Forwarded"];

    /// <summary>Whether the request comes from this machine: a loopback peer that does not forward for anyone.</summary>
    public static bool IsLoopback(HttpContext context)
    {
        // No address (a Unix socket, a test server) is not loopback: a proxy may sit behind it.
        if (context.Connection.RemoteIpAddress is not { } address) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (!IPAddress.IsLoopback(address)) return false;
        foreach (var header in ProxyHeaders)
        {
            if (context.Request.Headers.ContainsKey(header)) return false;
        }
        return true;
    }

    /// <summary>
    /// True when the request may go on. Otherwise it has been answered: 403 when no policy is set, or
    /// the policy's challenge (401, a login redirect) or forbid (403).
    /// </summary>
    public static async ValueTask<bool> AdmitAsync(HttpContext context, DashboardSettings settings)
    {
        if (settings.AllowLoopback && IsLoopback(context)) return true;
        if (settings.Policy is null)
        {
            await RefuseAsync(context, StatusCodes.Status403Forbidden,
                "This dashboard serves requests from this machine only; an authorization policy must be set to serve others.");
            return false;
        }
        var services = context.RequestServices;
        var policies = services.GetRequiredService<IAuthorizationPolicyProvider>();
        var policy = await policies.GetPolicyAsync(settings.Policy).ConfigureAwait(false)
            ?? throw new InvalidOperationException(
                $"The TaskQueue dashboard's authorization policy '{settings.Policy}' is not registered: add it with services.AddAuthorization(o => o.AddPolicy(\"{settings.Policy}\", ...)).");
        var evaluator = services.GetRequiredService<IPolicyEvaluator>();
        var authentication = await evaluator.AuthenticateAsync(policy, context).ConfigureAwait(false);
        var authorization = await evaluator.AuthorizeAsync(policy, authentication, context, context).ConfigureAwait(false);
        if (authorization.Succeeded) return true;
        await ChallengeOrForbidAsync(context, policy, authorization.Challenged).ConfigureAwait(false);
        return false;
    }

    /// <summary>Answers with a status and a short page that says why, with the dashboard's security headers.</summary>
    public static Task RefuseAsync(HttpContext context, int status, string why)
    {
        context.Response.StatusCode = status;
        SecurityHeaders.Apply(context.Response);
        context.Response.ContentType = "text/html; charset=utf-8";
        var page = Html.Of($"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{status}</title></head><body><h1>{status} {ReasonPhrase(status)}</h1><p>{why}</p></body></html>");
        return context.Response.WriteAsync(page.ToString(), context.RequestAborted);
    }

    private static string ReasonPhrase(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "Bad Request",
        StatusCodes.Status401Unauthorized => "Unauthorized",
        StatusCodes.Status403Forbidden => "Forbidden",
        _ => "",
    };

    // As the authorization middleware does, but an app without an authentication scheme to challenge
    // with gets a plain 401 or 403 instead of an exception.
    private static async Task ChallengeOrForbidAsync(HttpContext context, AuthorizationPolicy policy, bool challenge)
    {
        if (policy.AuthenticationSchemes.Count > 0)
        {
            foreach (var scheme in policy.AuthenticationSchemes)
            {
                await (challenge ? context.ChallengeAsync(scheme) : context.ForbidAsync(scheme)).ConfigureAwait(false);
            }
            return;
        }
        var schemes = context.RequestServices.GetService<IAuthenticationSchemeProvider>();
        var fallback = schemes is null ? null
            : challenge ? await schemes.GetDefaultChallengeSchemeAsync().ConfigureAwait(false)
            : await schemes.GetDefaultForbidSchemeAsync().ConfigureAwait(false);
        if (fallback is not null)
        {
            await (challenge ? context.ChallengeAsync() : context.ForbidAsync()).ConfigureAwait(false);
            return;
        }
        await RefuseAsync(context, challenge ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden,
            challenge ? "Sign in to see this dashboard." : "You are not allowed to see this dashboard.").ConfigureAwait(false);
    }
}
