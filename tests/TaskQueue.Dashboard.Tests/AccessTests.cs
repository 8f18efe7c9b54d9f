using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TaskQueue.Dashboard.Tests;

/// <summary>Who may see the dashboard: loopback by default, others only through the authorization policy.</summary>
public sealed class AccessTests
{
    private const string Remote = "203.0.113.5";

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.3.4.5")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public async Task Loopback_requests_are_served_without_authorization(string address)
    {
        await using var dashboard = await TestDashboard.StartAsync();
        var response = await dashboard.GetAsync("/taskqueue/", address);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<h1>Overview</h1>", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/taskqueue/")]
    [InlineData("/taskqueue/dead-letters")]
    [InlineData("/taskqueue/assets/dashboard.css")]
    public async Task Another_address_is_refused_when_no_policy_is_set(string path)
    {
        await using var dashboard = await TestDashboard.StartAsync();
        var response = await dashboard.GetAsync(path, Remote);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("serves requests from this machine only", body);
        Assert.DoesNotContain("Overview", body);
    }

    [Fact]
    public async Task An_action_from_another_address_is_refused_before_its_form_is_read()
    {
        await using var dashboard = await TestDashboard.StartAsync();
        var session = await dashboard.OpenSessionAsync();
        var response = await dashboard.ActAsync(session, "/taskqueue/dead-letters/requeue-all", change: r => r.Headers.Add(TestDashboard.RemoteHeader, Remote));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_connection_without_an_address_is_not_loopback()
    {
        // A Unix socket has no peer address, and a proxy may sit behind it.
        await using var dashboard = await TestDashboard.StartAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await dashboard.GetAsync("/taskqueue/", "none")).StatusCode);
    }

    [Theory]
    [InlineData("X-Forwarded-For", "198.51.100.7")]
    [InlineData("X-Real-IP", "198.51.100.7")]
    [InlineData("Forwarded", "for=198.51.100.7")]
    public async Task A_loopback_request_that_a_proxy_forwards_for_someone_else_is_refused(string header, string value)
    {
        // A reverse proxy on the same machine connects from loopback: its header says for whom.
        await using var dashboard = await TestDashboard.StartAsync();
        var response = await dashboard.GetAsync("/taskqueue/", "127.0.0.1", r => r.Headers.Add(header, value));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("198.51.100.7", HttpStatusCode.Forbidden)]
    [InlineData("127.0.0.1", HttpStatusCode.OK)]
    public async Task With_the_forwarded_headers_middleware_the_client_address_it_found_decides(string client, HttpStatusCode expected)
    {
        // The middleware trusts the loopback proxy, replaces the peer address with the client's and consumes the header.
        await using var dashboard = await TestDashboard.StartAsync(forwardedHeaders: true);
        var response = await dashboard.GetAsync("/taskqueue/", "127.0.0.1", r => r.Headers.Add("X-Forwarded-For", client));
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Another_address_is_served_when_the_policy_is_satisfied_and_challenged_or_forbidden_when_not()
    {
        await using var dashboard = await TestDashboard.StartAsync(o => o.AuthorizationPolicy = TestDashboard.Policy);
        var allowed = await dashboard.GetAsync("/taskqueue/", Remote, r =>
        {
            r.Headers.Add(TestDashboard.UserHeader, "ada");
            r.Headers.Add(TestDashboard.RoleHeader, "ops");
        });
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Contains("<h1>Overview</h1>", await allowed.Content.ReadAsStringAsync());

        var anonymous = await dashboard.GetAsync("/taskqueue/", Remote);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        var wrongRole = await dashboard.GetAsync("/taskqueue/", Remote, r =>
        {
            r.Headers.Add(TestDashboard.UserHeader, "bob");
            r.Headers.Add(TestDashboard.RoleHeader, "sales");
        });
        Assert.Equal(HttpStatusCode.Forbidden, wrongRole.StatusCode);
    }

    [Fact]
    public async Task Loopback_must_satisfy_the_policy_too_when_it_is_not_exempt()
    {
        await using var dashboard = await TestDashboard.StartAsync(o =>
        {
            o.AuthorizationPolicy = TestDashboard.Policy;
            o.AllowLoopbackWithoutAuthorization = false;
        });
        Assert.Equal(HttpStatusCode.Unauthorized, (await dashboard.GetAsync("/taskqueue/")).StatusCode);
        var allowed = await dashboard.GetAsync("/taskqueue/", change: r =>
        {
            r.Headers.Add(TestDashboard.UserHeader, "ada");
            r.Headers.Add(TestDashboard.RoleHeader, "ops");
        });
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task Mapping_fails_at_once_when_a_named_policy_has_no_authorization_or_the_app_has_no_TaskApp()
    {
        await using var app = new TaskApp();
        var withoutAuthorization = Slim(services => services.AddSingleton(app));
        var policy = Assert.Throws<InvalidOperationException>(() => withoutAuthorization.MapTaskQueueDashboard(configure: o => o.AuthorizationPolicy = "ops"));
        Assert.Contains("AddAuthorization", policy.Message);

        var withoutApp = Slim(_ => { });
        var missing = Assert.Throws<InvalidOperationException>(() => withoutApp.MapTaskQueueDashboard());
        Assert.Contains("AddTaskQueue", missing.Message);

        var withApp = Slim(services => services.AddSingleton(app));
        Assert.Throws<ArgumentException>(() => withApp.MapTaskQueueDashboard("/{tenant}/taskqueue"));
        Assert.Throws<ArgumentException>(() => withApp.MapTaskQueueDashboard(configure: o => o.PollingInterval = TimeSpan.FromMilliseconds(10)));
        Assert.Throws<ArgumentException>(() => withApp.MapTaskQueueDashboard(configure: o => o.PageSize = 0));
        Assert.Throws<ArgumentException>(() => withApp.MapTaskQueueDashboard(configure: o => o.Title = " "));
    }

    private static WebApplication Slim(Action<IServiceCollection> services)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        services(builder.Services);
        return builder.Build();
    }
}
