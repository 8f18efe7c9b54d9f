using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Shop.Web;
using TaskQueue.Diagnostics;
using TaskQueue.Testing;

namespace TaskQueue.Hosting.Tests;

/// <summary>samples/WebApp on real Redis: a request enqueues, the hosted worker runs the task, the API reads the result, one trace spans both.</summary>
[Collection(HostingCollection.Name)]
public sealed class WebAppTests(RedisServerFixture redis)
{
    [Fact]
    public async Task An_order_posted_to_the_api_is_shipped_by_the_worker_in_the_requests_trace_and_read_back()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is TaskQueueInstrumentation.ActivitySourceName or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("TaskQueue:Redis", redis.ConnectionString);
            web.UseSetting("TaskQueue:Application", RedisServerFixture.NewApplicationName());
        });
        using var client = factory.CreateClient();

        // The caller's own trace: the server continues it, and so must the task.
        var traceId = ActivityTraceId.CreateRandom();
        using var post = new HttpRequestMessage(HttpMethod.Post, "/orders")
        {
            Content = JsonContent.Create(new Order(42, "ada", ["beans", "rice"])),
        };
        post.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        var accepted = await client.SendAsync(post);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var taskId = (await accepted.Content.ReadFromJsonAsync<Dictionary<string, string>>())!["taskId"];

        Receipt? receipt = null;
        await Eventually.UntilAsync(async () =>
        {
            var response = await client.GetAsync(accepted.Headers.Location);
            if (response.StatusCode != HttpStatusCode.OK) return false;
            receipt = await response.Content.ReadFromJsonAsync<Receipt>();
            return true;
        }, "the worker to ship the order");

        Assert.Equal(42, receipt!.OrderId);
        Assert.Equal(2, receipt.Items);
        Assert.StartsWith("P-42-", receipt.Parcel);
        Assert.Equal(ShipOrder.Name, receipt.ShippedBy);
        Activity? run = null;
        await Eventually.UntilAsync(() => (run = spans.FirstOrDefault(s => s.Kind == ActivityKind.Consumer && (s.GetTagItem("messaging.message.id") as string) == taskId)) is not null,
            "the run's span");
        Assert.Equal(traceId, run!.TraceId);
        Assert.Contains(spans, s => s.Kind == ActivityKind.Server && s.TraceId == traceId);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }
}
