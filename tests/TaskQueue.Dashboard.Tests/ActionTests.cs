using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TaskQueue.Scheduling;

namespace TaskQueue.Dashboard.Tests;

/// <summary>The actions: form posts with the session's token, from the same origin, refused in read-only mode.</summary>
public sealed class ActionTests
{
    [Fact]
    public async Task An_action_with_the_session_token_is_done_and_redirects_back_with_a_notice()
    {
        await using var dashboard = await TestDashboard.StartAsync();
        var taskId = await DeadLetters.OfMarkAsync(dashboard.App, DashboardTasks.NewKey(), "set aside by the test");
        var id = await DeadLetters.IdOfAsync(dashboard.App, taskId);
        var session = await dashboard.OpenSessionAsync("/taskqueue/dead-letters");

        var response = await dashboard.PostAsync("/taskqueue/dead-letters/requeue",
            [new(RequestTokens.FieldName, session.Token), new("id", id), new("back", "/taskqueue/dead-letters")], session.Cookie);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/taskqueue/dead-letters?done=requeued", response.Headers.Location?.OriginalString);
        Assert.Empty(await dashboard.App.Operations.DeadLettersAsync());
        Assert.Equal(taskId, Assert.Single(await dashboard.App.Operations.PendingAsync()).Id);
        var page = await (await dashboard.GetAsync(response.Headers.Location!.OriginalString)).Content.ReadAsStringAsync();
        Assert.Contains("The dead letter is back in its queue.", page);
    }

    [Theory]
    [InlineData("no field")]
    [InlineData("another session's token")]
    [InlineData("no cookie")]
    [InlineData("garbage")]
    public async Task An_action_without_the_right_token_is_refused_and_changes_nothing(string how)
    {
        await using var dashboard = await TestDashboard.StartAsync();
        await DeadLetters.OfMarkAsync(dashboard.App, DashboardTasks.NewKey(), "set aside by the test");
        var session = await dashboard.OpenSessionAsync();
        var other = await dashboard.OpenSessionAsync();
        Assert.NotEqual(session.Token, other.Token);
        var fields = new Dictionary<string, string>();
        string? cookie = session.Cookie;
        switch (how)
        {
            case "another session's token": fields[RequestTokens.FieldName] = other.Token; break;
            case "no cookie": fields[RequestTokens.FieldName] = session.Token; cookie = null; break;
            case "garbage": fields[RequestTokens.FieldName] = "<script>"; break;
        }

        var response = await dashboard.PostAsync("/taskqueue/dead-letters/requeue-all", fields, cookie);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("token is missing or does not match", await response.Content.ReadAsStringAsync());
        Assert.Single(await dashboard.App.Operations.DeadLettersAsync());
    }

    [Theory]
    [InlineData("Origin", "http://evil.example")]
    [InlineData("Origin", "null")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    public async Task An_action_from_another_origin_is_refused_even_with_the_token(string header, string value)
    {
        await using var dashboard = await TestDashboard.StartAsync();
        await DeadLetters.OfMarkAsync(dashboard.App, DashboardTasks.NewKey(), "set aside by the test");
        var session = await dashboard.OpenSessionAsync();

        var response = await dashboard.ActAsync(session, "/taskqueue/dead-letters/requeue-all", change: r => r.Headers.Add(header, value));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Single(await dashboard.App.Operations.DeadLettersAsync());
    }

    [Fact]
    public async Task An_action_from_the_dashboards_own_origin_is_done()
    {
        await using var dashboard = await TestDashboard.StartAsync();
        await DeadLetters.OfMarkAsync(dashboard.App, DashboardTasks.NewKey(), "set aside by the test");
        var session = await dashboard.OpenSessionAsync();
        var origin = dashboard.Client.BaseAddress!.GetLeftPart(UriPartial.Authority);

        var response = await dashboard.ActAsync(session, "/taskqueue/dead-letters/requeue-all", change: r =>
        {
            r.Headers.Add("Origin", origin);
            r.Headers.Add("Sec-Fetch-Site", "same-origin");
        });

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.EndsWith("?done=requeued-all&n=1", response.Headers.Location!.OriginalString);
        Assert.Empty(await dashboard.App.Operations.DeadLettersAsync());
    }

    [Fact]
    public async Task Actions_answer_only_posts()
    {
        await using var dashboard = await TestDashboard.StartAsync();
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await dashboard.GetAsync("/taskqueue/dead-letters/requeue-all")).StatusCode);
    }

    [Fact]
    public async Task Read_only_mode_shows_no_buttons_and_refuses_every_action()
    {
        await using var dashboard = await TestDashboard.StartAsync(o => o.ReadOnly = true);
        await DeadLetters.OfMarkAsync(dashboard.App, DashboardTasks.NewKey(), "set aside by the test");
        var page = await dashboard.GetAsync("/taskqueue/dead-letters");
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<form", html);
        Assert.Contains("read-only", html);
        Assert.False(page.Headers.Contains("Set-Cookie"));

        var response = await dashboard.PostAsync("/taskqueue/dead-letters/requeue-all", [new(RequestTokens.FieldName, "x")], null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("read-only", await response.Content.ReadAsStringAsync());
        Assert.Single(await dashboard.App.Operations.DeadLettersAsync());
    }

    [Fact]
    public async Task Dead_letters_are_deleted_and_a_second_delete_says_it_is_gone()
    {
        await using var dashboard = await TestDashboard.StartAsync();
        var id = await DeadLetters.IdOfAsync(dashboard.App, await DeadLetters.OfMarkAsync(dashboard.App, DashboardTasks.NewKey(), "set aside"));
        var session = await dashboard.OpenSessionAsync();
        Assert.EndsWith("?done=deleted", (await dashboard.ActAsync(session, "/taskqueue/dead-letters/delete", "id", id)).Headers.Location!.OriginalString);
        Assert.Empty(await dashboard.App.Operations.DeadLettersAsync());
        Assert.EndsWith("?done=gone", (await dashboard.ActAsync(session, "/taskqueue/dead-letters/delete", "id", id)).Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Tasks_and_instances_are_revoked_and_restored()
    {
        await using var dashboard = await TestDashboard.StartAsync();
        var app = dashboard.App;
        var session = await dashboard.OpenSessionAsync("/taskqueue/tasks");
        await dashboard.ActAsync(session, "/taskqueue/tasks/revoke", "name", Echo.Name);
        Assert.True(await app.IsTaskRevokedAsync(Echo.Name));
        Assert.Contains("revoked</span>", await (await dashboard.GetAsync("/taskqueue/tasks")).Content.ReadAsStringAsync());
        Assert.EndsWith("?done=restored", (await dashboard.ActAsync(session, "/taskqueue/tasks/restore", "name", Echo.Name)).Headers.Location!.OriginalString);
        Assert.False(await app.IsTaskRevokedAsync(Echo.Name));
        Assert.EndsWith("?done=not-revoked", (await dashboard.ActAsync(session, "/taskqueue/tasks/restore", "name", Echo.Name)).Headers.Location!.OriginalString);

        var sent = await Echo.With(app).EnqueueAsync("later");
        await dashboard.ActAsync(session, "/taskqueue/instances/revoke", "id", sent.Id);
        Assert.True(await app.IsRevokedByIdAsync(sent.Id));
        await dashboard.ActAsync(session, "/taskqueue/instances/restore", "id", sent.Id);
        Assert.False(await app.IsRevokedByIdAsync(sent.Id));
        Assert.Equal(HttpStatusCode.BadRequest, (await dashboard.ActAsync(session, "/taskqueue/instances/revoke", "id", " ")).StatusCode);
    }

    [Fact]
    public async Task Periodic_tasks_are_paused_and_resumed_and_an_unknown_one_is_gone()
    {
        await using var app = new TaskApp { Tasks = TaskCatalog.Registered.WithPeriodic(Echo.Descriptor, new Crontab(minute: "*/5")) };
        await using var dashboard = await TestDashboard.StartAsync(app: app);
        var session = await dashboard.OpenSessionAsync("/taskqueue/periodic");
        await dashboard.ActAsync(session, "/taskqueue/periodic/pause", "name", Echo.Name);
        Assert.True(Assert.Single(await app.Operations.PeriodicAsync()).Paused);
        Assert.Contains("paused</span>", await (await dashboard.GetAsync("/taskqueue/periodic")).Content.ReadAsStringAsync());
        await dashboard.ActAsync(session, "/taskqueue/periodic/resume", "name", Echo.Name);
        Assert.False(Assert.Single(await app.Operations.PeriodicAsync()).Paused);
        Assert.EndsWith("?done=gone", (await dashboard.ActAsync(session, "/taskqueue/periodic/pause", "name", "no.such.task")).Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Recurring_records_are_disabled_enabled_run_now_and_deleted()
    {
        await using var dashboard = await TestDashboard.StartAsync();
        var app = dashboard.App;
        var record = Echo.With(app).Recurring("hello", schedule: "0 0 1 1 *", label: "yearly");
        await record.SaveAsync();
        var session = await dashboard.OpenSessionAsync("/taskqueue/recurring");

        await dashboard.ActAsync(session, "/taskqueue/recurring/disable", "id", record.Id);
        Assert.False((await app.Recurring.GetAsync(record.Id))!.Enabled);
        await dashboard.ActAsync(session, "/taskqueue/recurring/enable", "id", record.Id);
        Assert.True((await app.Recurring.GetAsync(record.Id))!.Enabled);
        var now = await app.Storage.GetTimeAsync();
        Assert.EndsWith("?done=run", (await dashboard.ActAsync(session, "/taskqueue/recurring/run", "id", record.Id)).Headers.Location!.OriginalString);
        Assert.True((await app.Recurring.GetAsync(record.Id))!.NextRun <= now.AddSeconds(5));
        await dashboard.ActAsync(session, "/taskqueue/recurring/delete", "id", record.Id);
        Assert.Null(await app.Recurring.GetAsync(record.Id));
        Assert.EndsWith("?done=gone", (await dashboard.ActAsync(session, "/taskqueue/recurring/disable", "id", record.Id)).Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("/taskqueue/dead-letters", "/taskqueue/dead-letters")]
    [InlineData("/taskqueue/queues/mail", "/taskqueue/queues/mail")]
    [InlineData("/taskqueue", "/taskqueue")]
    [InlineData("https://evil.example/", "/taskqueue/")]
    [InlineData("//evil.example/taskqueue/", "/taskqueue/")]
    [InlineData("/taskqueue//evil.example", "/taskqueue/")]
    [InlineData("/taskqueue/\\evil.example", "/taskqueue/")]
    [InlineData("/taskqueuex/", "/taskqueue/")]
    [InlineData("/taskqueue/x?done=deleted", "/taskqueue/")]
    [InlineData("", "/taskqueue/")]
    public void After_an_action_the_browser_goes_back_only_to_a_page_of_the_dashboard(string requested, string expected)
        => Assert.Equal(expected, DashboardActions.Back(requested, "/taskqueue"));

    [Fact]
    public async Task The_page_to_come_back_to_is_carried_escaped_and_accepted_on_return()
    {
        // Kestrel hands over a path decoded but for %2F; the page of a queue named "<b>odd/queue</b>" is this one.
        await using var app = new TaskApp();
        var http = new DefaultHttpContext { RequestServices = new ServiceCollection().AddSingleton(app).BuildServiceProvider() };
        http.Request.Path = "/taskqueue/queues/<b>odd%2Fqueue</b>";
        var page = new DashboardContext(http, DashboardSettings.From("/taskqueue", new TaskQueueDashboardOptions()));

        var back = WebUtility.HtmlDecode(Regex.Match(page.FormFields().ToString(), "name=\"back\" value=\"([^\"]+)\"").Groups[1].Value);

        Assert.Equal("/taskqueue/queues/%3Cb%3Eodd%2Fqueue%3C/b%3E", back);
        Assert.Equal(back, DashboardActions.Back(back, "/taskqueue"));
    }
}
