using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TaskQueue.Dashboard.Tests;

/// <summary>
/// The dashboard on a test server over an in-memory app. A request says where it comes from with
/// <see cref="RemoteHeader"/> (loopback by default, "none" for no address) and who it is with
/// <see cref="UserHeader"/> and <see cref="RoleHeader"/>, read by a real authentication scheme.
/// </summary>
internal sealed partial class TestDashboard : IAsyncDisposable
{
    public const string RemoteHeader = "X-Test-Remote-Address";
    public const string UserHeader = "X-Test-User";
    public const string RoleHeader = "X-Test-Role";
    public const string Policy = "ops";

    private readonly bool ownsApp;

    private TestDashboard(WebApplication web, TaskApp app, bool ownsApp)
    {
        Web = web;
        App = app;
        this.ownsApp = ownsApp;
        Client = web.GetTestClient();
    }

    public WebApplication Web { get; }

    public TaskApp App { get; }

    /// <summary>A client that does not follow redirects (the test server's never does).</summary>
    public HttpClient Client { get; }

    /// <summary>Starts a dashboard over <paramref name="app"/> (a new in-memory app, disposed with the dashboard, when null).</summary>
    public static async Task<TestDashboard> StartAsync(Action<TaskQueueDashboardOptions>? configure = null, TaskApp? app = null, bool forwardedHeaders = false,
        string pattern = "/taskqueue")
    {
        bool ownsApp = app is null;
        app ??= new TaskApp();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(app);
        builder.Services.AddAuthentication(HeaderAuthentication.Name).AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>(HeaderAuthentication.Name, null);
        builder.Services.AddAuthorization(o => o.AddPolicy(Policy, p => p.RequireAuthenticatedUser().RequireRole("ops")));
        var web = builder.Build();
        // Before anything else, as the server would: the peer's address.
        web.Use((context, next) =>
        {
            var said = context.Request.Headers[RemoteHeader].ToString();
            context.Connection.RemoteIpAddress = said switch { "" => IPAddress.Loopback, "none" => null, _ => IPAddress.Parse(said) };
            return next(context);
        });
        if (forwardedHeaders) web.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor });
        web.MapTaskQueueDashboard(pattern, configure);
        await web.StartAsync();
        return new TestDashboard(web, app, ownsApp);
    }

    /// <summary>GET <paramref name="path"/> from <paramref name="remote"/> (loopback when null).</summary>
    public Task<HttpResponseMessage> GetAsync(string path, string? remote = null, Action<HttpRequestMessage>? change = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (remote is not null) request.Headers.Add(RemoteHeader, remote);
        change?.Invoke(request);
        return Client.SendAsync(request);
    }

    /// <summary>The session a browser gets from a page: the cookie it was given and the token its forms carry.</summary>
    public async Task<Session> OpenSessionAsync(string page = "/taskqueue/tasks")
    {
        var response = await GetAsync(page);
        response.EnsureSuccessStatusCode();
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(RequestTokens.CookieName + "=", StringComparison.Ordinal)).Split(';')[0];
        var html = await response.Content.ReadAsStringAsync();
        var token = TokenField().Match(html).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), "the page has a form with a token");
        return new Session(cookie, token);
    }

    /// <summary>POSTs a form to <paramref name="path"/>, with the session's cookie when given.</summary>
    public Task<HttpResponseMessage> PostAsync(string path, IEnumerable<KeyValuePair<string, string>> fields, string? cookie, Action<HttpRequestMessage>? change = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        if (cookie is not null) request.Headers.Add("Cookie", cookie);
        change?.Invoke(request);
        return Client.SendAsync(request);
    }

    /// <summary>POSTs an action as the session's page would: its token, and one field.</summary>
    public Task<HttpResponseMessage> ActAsync(Session session, string path, string? field = null, string? value = null, Action<HttpRequestMessage>? change = null)
    {
        var fields = new Dictionary<string, string> { [RequestTokens.FieldName] = session.Token, ["back"] = "/taskqueue/" };
        if (field is not null) fields[field] = value!;
        return PostAsync(path, fields, session.Cookie, change);
    }

    public async ValueTask DisposeAsync()
    {
        await Web.StopAsync();
        await Web.DisposeAsync();
        if (ownsApp) await App.DisposeAsync();
    }

    [GeneratedRegex("name=\"token\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    public sealed record Session(string Cookie, string Token);

    /// <summary>Authenticates whoever <see cref="UserHeader"/> names, with the roles of <see cref="RoleHeader"/>.</summary>
    private sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string Name = "Test";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var user = Request.Headers[UserHeader].ToString();
            if (user.Length == 0) return Task.FromResult(AuthenticateResult.NoResult());
            var claims = new List<Claim> { new(ClaimTypes.Name, user) };
            claims.AddRange(Request.Headers[RoleHeader].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => new Claim(ClaimTypes.Role, r)));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, Name)), Name)));
        }
    }
}
