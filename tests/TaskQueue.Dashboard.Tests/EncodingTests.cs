using System.Net;
using System.Text;
using TaskQueue.Consumer;
using TaskQueue.Testing;

namespace TaskQueue.Dashboard.Tests;

/// <summary>What tasks carry (arguments, reasons, labels, exception messages) is shown as text, never as markup.</summary>
public sealed class EncodingTests
{
    private const string Hostile = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>";

    [Fact]
    public async Task Hostile_arguments_are_encoded_on_the_queue_and_scheduled_pages()
    {
        await using var dashboard = await TestDashboard.StartAsync();
        await Echo.With(dashboard.App).EnqueueAsync(Hostile);
        await Echo.With(dashboard.App).ScheduleAsync(Hostile, delay: TimeSpan.FromHours(1));

        foreach (var path in new[] { "/taskqueue/queues/default", "/taskqueue/scheduled" })
        {
            var html = await (await dashboard.GetAsync(path)).Content.ReadAsStringAsync();
            AssertEncoded(html);
            // The JSON escapes the quote (\"), the page encodes the rest.
            Assert.Contains("{&quot;text&quot;:&quot;&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;\\&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&quot;}", html);
        }
    }

    [Fact]
    public async Task Hostile_dead_letter_reasons_and_undecodable_bodies_are_encoded()
    {
        await using var dashboard = await TestDashboard.StartAsync();
        await DeadLetters.OfMarkAsync(dashboard.App, Hostile, "reason: " + Hostile);
        await dashboard.App.Storage.DeadLetterAsync("<b>queue</b>", Encoding.UTF8.GetBytes(Hostile), Hostile);

        var html = await (await dashboard.GetAsync("/taskqueue/dead-letters")).Content.ReadAsStringAsync();

        AssertEncoded(html);
        Assert.Contains("reason: &lt;script&gt;", html);
        Assert.Contains("undecodable", html);
        Assert.Contains("&lt;b&gt;queue&lt;/b&gt;", html);
        Assert.Contains("href=\"/taskqueue/queues/%3Cb%3Equeue%3C%2Fb%3E\"", html);
    }

    [Fact]
    public async Task Hostile_recurring_labels_and_arguments_are_encoded()
    {
        await using var dashboard = await TestDashboard.StartAsync();
        await Echo.With(dashboard.App).Recurring(Hostile, schedule: "0 0 1 1 *", label: Hostile).SaveAsync();
        var html = await (await dashboard.GetAsync("/taskqueue/recurring")).Content.ReadAsStringAsync();
        AssertEncoded(html);
        Assert.Contains("data-confirm=\"Delete the recurring record &lt;script&gt;", html);
    }

    [Fact]
    public async Task Hostile_exception_messages_and_stack_traces_are_encoded()
    {
        await using var dashboard = await TestDashboard.StartAsync();
        var app = dashboard.App;
        await using (var consumer = new TaskConsumer(app, new ConsumerOptions { Workers = 1 }))
        {
            consumer.Start();
            var failed = await Explode.With(app).EnqueueAsync(Hostile);
            await Assert.ThrowsAsync<TaskFailedException>(async () => await failed.GetAsync(preserve: true, timeout: Eventually.DefaultTimeout));
        }
        var html = await (await dashboard.GetAsync("/taskqueue/failures")).Content.ReadAsStringAsync();
        AssertEncoded(html);
        Assert.Contains("System.InvalidOperationException</b>: &lt;script&gt;", html);
        Assert.Contains("<pre class=\"trace\">", html);
    }

    [Fact]
    public async Task A_crafted_notice_shows_nothing()
    {
        await using var dashboard = await TestDashboard.StartAsync();
        var html = await (await dashboard.GetAsync("/taskqueue/?done=%3Cscript%3E&n=%3Cb%3E")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("class=\"notice\"", html);
        AssertEncoded(html);
    }

    [Theory]
    [InlineData("/taskqueue/", HttpStatusCode.OK)]
    [InlineData("/taskqueue/assets/dashboard.js", HttpStatusCode.OK)]
    [InlineData("/taskqueue/assets/missing.js", HttpStatusCode.NotFound)]
    public async Task Every_response_carries_a_strict_content_security_policy(string path, HttpStatusCode status)
    {
        await using var dashboard = await TestDashboard.StartAsync();
        foreach (var remote in new[] { "127.0.0.1", "203.0.113.5" })
        {
            var response = await dashboard.GetAsync(path, remote);
            Assert.Equal(remote == "127.0.0.1" ? status : HttpStatusCode.Forbidden, response.StatusCode);
            var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("default-src 'none'", policy);
            Assert.Contains("script-src 'self';", policy);
            Assert.Contains("frame-ancestors 'none'", policy);
            Assert.DoesNotContain("unsafe", policy);
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
            // Under no-referrer a browser posts the dashboard's own forms with "Origin: null", which the origin check refuses.
            Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        }
    }

    private static void AssertEncoded(string html)
    {
        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<img src=x", html);
        Assert.DoesNotContain("<b>queue", html);
        // The only scripts are the dashboard's own, by URL.
        Assert.All(html.Split("<script").Skip(1), s => Assert.StartsWith(" src=\"/taskqueue/assets/dashboard.js?v=", s));
    }
}
