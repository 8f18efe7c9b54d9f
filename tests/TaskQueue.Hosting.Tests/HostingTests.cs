using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskQueue.Redis;
using TaskQueue.Storage;
using TaskQueue.Testing;

namespace TaskQueue.Hosting.Tests;

/// <summary>TaskQueue in the generic host, on real Redis: options, the hosted worker, services in tasks, logs, health.</summary>
[Collection(HostingCollection.Name)]
public sealed class HostingTests(RedisServerFixture redis)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_hosted_worker_runs_tasks_enqueued_through_the_ambient_app_with_services_from_the_container()
    {
        var builder = TestHosts.Builder(TestHosts.OnRedis(redis));
        builder.Services.AddScoped<Greeter>();
        builder.Services.AddTaskQueue();
        builder.Services.AddTaskQueueWorker(o => o.Workers = 2);
        using var host = builder.Build();
        await host.StartAsync();

        var app = host.Services.GetRequiredService<TaskApp>();
        Assert.Same(app, TaskApp.Default);
        Assert.IsType<RedisStorage>(app.Storage);
        var hello = await Hello.EnqueueAsync("web");

        Assert.Equal("hello web", await hello.GetAsync(timeout: Wait));
        await host.StopAsync();
    }

    [Fact]
    public async Task Options_come_from_the_TaskQueue_section_then_from_the_delegate()
    {
        var configuration = TestHosts.OnRedis(redis);
        configuration["TaskQueue:StoreNone"] = "true";
        configuration["TaskQueue:ResultTtl"] = "01:00:00";
        configuration["TaskQueue:MaxMessageSize"] = "1048576";
        configuration["TaskQueue:StorageRetryTime"] = "25";
        configuration["TaskQueue:SigningKeys"] = "2026-12:" + Convert.ToBase64String(new byte[32]) + ", 2026-11:" + Convert.ToBase64String(new byte[16]);
        configuration["TaskQueue:Worker:Workers"] = "3";
        configuration["TaskQueue:Worker:Queues:0"] = "high";
        configuration["TaskQueue:Worker:Queues:1"] = "low";
        configuration["TaskQueue:Worker:ShutdownGrace"] = "12";
        configuration["TaskQueue:Worker:MaxRedeliveries"] = "9";
        configuration["TaskQueue:Worker:TimeoutGrace"] = "00:00:04";
        var builder = TestHosts.Builder(configuration);
        builder.Services.AddTaskQueue(o => o.StoreErrors = false);
        builder.Services.AddTaskQueueWorker(o => o.BatchSize = 4);
        using var host = builder.Build();

        var app = host.Services.GetRequiredService<TaskApp>();
        var worker = host.Services.GetRequiredService<IOptions<TaskQueueWorkerOptions>>().Value;

        Assert.True(app.StoreNone);
        Assert.False(app.StoreErrors);
        Assert.Equal(TimeSpan.FromHours(1), app.ResultTtl);
        Assert.Equal(1024 * 1024, app.MaxMessageSize);
        Assert.Equal(TimeSpan.FromSeconds(25), app.StorageRetryTime);
        Assert.Equal(["2026-12", "2026-11"], app.Signing!.AcceptedKeyIds);
        Assert.Equal(configuration["TaskQueue:Application"], app.Name);
        Assert.Equal(3, worker.Workers);
        Assert.Equal(["high", "low"], worker.Queues);
        Assert.Equal(TimeSpan.FromSeconds(12), worker.ShutdownGrace);
        Assert.Equal(9, worker.MaxRedeliveries);
        Assert.Equal(TimeSpan.FromSeconds(4), worker.TimeoutGrace);
        Assert.Equal(4, worker.BatchSize);
    }

    [Theory]
    [InlineData("TaskQueue:Redis", "localhost:6379,abortConnect=maybe", "TaskQueue:Redis: RedisStorageOptions.ConnectionString is not a valid StackExchange.Redis connection string")]
    [InlineData("TaskQueue:Application", "{bad}", "TaskQueue:Application: RedisStorageOptions.ApplicationName '{bad}' must not contain '{' or '}'")]
    [InlineData("TaskQueue:ResultTtl", "soon", "TaskQueue:ResultTtl: 'soon' is not a time span")]
    [InlineData("TaskQueue:MaxMessageSize", "16", "TaskQueue:MaxMessageSize: must be at least 1024 bytes; it is 16.")]
    [InlineData("TaskQueue:StorageRetryTime", "-1", "TaskQueue:StorageRetryTime: must be between 0 and 5 minutes; it is -00:00:01.")]
    [InlineData("TaskQueue:SigningKeys", "k1:c2hvcnQ=", "TaskQueue:SigningKeys: signing key 'k1': the secret is 5 bytes; at least 16 are needed")]
    [InlineData("TaskQueue:Worker:Workers", "0", "TaskQueue:Worker:Workers: at least one worker is needed")]
    [InlineData("TaskQueue:Worker:Workers", "many", "TaskQueue:Worker:Workers: 'many' is not a whole number")]
    [InlineData("TaskQueue:Worker:VisibilityTimeout", "0.5", "TaskQueue:Worker:VisibilityTimeout: must be at least 1 s")]
    [InlineData("TaskQueue:Partitions:orders", "x", "TaskQueue:Partitions:orders: 'x' is not a whole number of partitions.")]
    [InlineData("TaskQueue:Partitions:orders", "0", "TaskQueue:Partitions: RedisStorageOptions.Partitions gives queue 'orders' 0 partitions: give 1 to 1024.")]
    public async Task A_bad_option_stops_the_host_at_start_with_a_message_naming_it(string key, string value, string expected)
    {
        var configuration = TestHosts.OnRedis(redis);
        configuration[key] = value;
        var builder = TestHosts.Builder(configuration);
        builder.Services.AddTaskQueueWorker();
        using var host = builder.Build();

        var e = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task Partitions_from_configuration_spread_a_queue_s_sends_over_its_partitions()
    {
        var configuration = TestHosts.OnRedis(redis);
        configuration["TaskQueue:Partitions:orders"] = "2";
        var builder = TestHosts.Builder(configuration);
        builder.Services.AddTaskQueue();
        using var host = builder.Build();
        var app = host.Services.GetRequiredService<TaskApp>();
        for (int i = 0; i < 4; i++) await app.Storage.EnqueueAsync("orders", new byte[] { 1, 2, 3 });

        var db = redis.Connection.GetDatabase();
        string application = configuration["TaskQueue:Application"]!;
        Assert.Equal(2, await db.ListLengthAsync("{tq:" + application + ":q:orders}:ready"));
        Assert.Equal(2, await db.ListLengthAsync("{tq:" + application + ":q:orders#1}:ready"));
        Assert.Equal(4, await app.Storage.QueueLengthAsync("orders"));
        await app.Storage.FlushAsync();
    }

    [Fact]
    public async Task The_grace_period_is_cut_to_fit_the_hosts_shutdown_timeout_and_what_is_left_goes_back()
    {
        var builder = TestHosts.Builder(TestHosts.OnRedis(redis));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(7));
        builder.Services.AddTaskQueueWorker(o => o.ShutdownGrace = TimeSpan.FromSeconds(60));
        using var host = builder.Build();
        await host.StartAsync();
        var worker = host.Services.GetRequiredService<TaskQueueWorkerService>();
        Assert.Equal(TimeSpan.FromSeconds(2), worker.ShutdownGrace);
        string key = Guid.NewGuid().ToString("N");
        var app = host.Services.GetRequiredService<TaskApp>();
        var linger = await Linger.With(app).EnqueueAsync(key, 120_000);
        await Eventually.UntilAsync(() => HostTasks.Started.ContainsKey(key), "the task to start");

        var clock = Stopwatch.StartNew();
        await host.StopAsync();

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(7));
        var pending = await app.PendingAsync();
        Assert.Equal(linger.Id, Assert.Single(pending).Id);
    }

    [Fact]
    public async Task Log_lines_written_in_a_run_carry_the_task_name_and_id_in_a_scope()
    {
        var logs = new RecordingLoggerProvider();
        var builder = TestHosts.Builder(TestHosts.OnRedis(redis));
        builder.Logging.AddProvider(logs);
        builder.Services.AddTaskQueueWorker();
        using var host = builder.Build();
        await host.StartAsync();
        var app = host.Services.GetRequiredService<TaskApp>();

        var shout = await Shout.With(app).EnqueueAsync("hey");
        await Eventually.UntilAsync(() => logs.Lines.Any(l => l.Category == "Shouter"), "the task's log line");
        await host.StopAsync();

        var line = logs.Lines.First(l => l.Category == "Shouter");
        Assert.Equal("shouting hey", line.Message);
        Assert.Contains(new KeyValuePair<string, object?>("TaskName", Shout.Name), line.Scope);
        Assert.Contains(new KeyValuePair<string, object?>("TaskId", shout.Id), line.Scope);
        Assert.Contains(logs.Lines, l => l.Category == typeof(Consumer.TaskConsumer).FullName && l.Message.Contains("started"));
    }

    [Fact]
    public async Task The_health_check_reports_the_storage_round_trip_and_a_fresh_heartbeat()
    {
        var builder = TestHosts.Builder(TestHosts.OnRedis(redis));
        builder.Services.AddTaskQueueWorker();
        builder.Services.AddHealthChecks().AddTaskQueue();
        using var host = builder.Build();
        await host.StartAsync();
        var health = host.Services.GetRequiredService<HealthCheckService>();
        var worker = host.Services.GetRequiredService<TaskQueueWorkerService>();
        await Eventually.UntilAsync(() => worker.Consumer?.SinceLastHeartbeat is not null, "the first heartbeat");

        var report = await health.CheckHealthAsync();

        var entry = report.Entries["taskqueue"];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.True((double)entry.Data["storage.round_trip_ms"] >= 0);
        Assert.True(entry.Data.ContainsKey("consumer.heartbeat_age_ms"));
        await host.StopAsync();
    }

    [Fact]
    public async Task The_health_check_fails_when_dead_letters_pass_the_threshold()
    {
        var builder = TestHosts.Builder(TestHosts.OnRedis(redis));
        builder.Services.AddTaskQueue();
        builder.Services.AddHealthChecks().AddTaskQueue(configure: o => o.DeadLetterThreshold = 1, failureStatus: HealthStatus.Degraded);
        using var host = builder.Build();
        var app = host.Services.GetRequiredService<TaskApp>();
        var health = host.Services.GetRequiredService<HealthCheckService>();

        await app.Storage.DeadLetterAsync("default", new byte[] { 1 }, "first");
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);
        await app.Storage.DeadLetterAsync("default", new byte[] { 2 }, "second");
        var report = await health.CheckHealthAsync();

        Assert.Equal(HealthStatus.Degraded, report.Status);
        Assert.Equal("TaskQueue has 2 dead letters (threshold 1).", report.Entries["taskqueue"].Description);
    }

    [Fact]
    public async Task The_health_check_fails_when_the_storage_is_unreachable()
    {
        var builder = TestHosts.Builder(new Dictionary<string, string?> { ["TaskQueue:Redis"] = $"127.0.0.1:{ClosedPort()},connectTimeout=200" });
        builder.Services.AddTaskQueue();
        builder.Services.AddHealthChecks().AddTaskQueue(configure: o => o.StorageTimeout = TimeSpan.FromSeconds(2));
        using var host = builder.Build();

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.StartsWith("TaskQueue storage is unreachable", report.Entries["taskqueue"].Description);
    }

    [Fact]
    public async Task In_memory_apps_need_no_server()
    {
        var builder = TestHosts.Builder(new Dictionary<string, string?>());
        builder.Services.AddTaskQueue(o => o.UseInMemory());
        builder.Services.AddTaskQueueWorker();
        builder.Services.AddScoped<Greeter>();
        using var host = builder.Build();
        await host.StartAsync();

        Assert.IsType<MemoryStorage>(host.Services.GetRequiredService<ITaskStorage>());
        Assert.Equal("hello memory", await Hello.Enqueue("memory").GetAsync(timeout: Wait));
        await host.StopAsync();
    }

    private static int ClosedPort()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
