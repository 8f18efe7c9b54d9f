using System.Text.Json.Nodes;
using Beans;
using TaskQueue;
using TaskQueue.Consumer;

// The in-memory default app: no server needed. A real deployment sets TaskApp.Default to an app
// on Redis at start-up and runs the consumer in separate worker processes.
var app = TaskApp.Default;
using var log = app.Events.Subscribe(e => Console.WriteLine($"  [event] {e.Kind,-9} {e.TaskName} {e.Error}"));

await using var consumer = new TaskConsumer(app, new ConsumerOptions { Workers = 2 });
consumer.Start();

// Enqueue, then wait for the result.
TaskResult<string> counted = CountBeans.Enqueue(1000);
Console.WriteLine(await counted.GetAsync(timeout: TimeSpan.FromSeconds(5)));

// Run in-process, nothing enqueued.
Console.WriteLine(CountBeans.CallLocal(1337));

// A scheduled task runs after its delay.
var later = CountBeans.Schedule(42, delay: TimeSpan.FromMilliseconds(300));
Console.WriteLine(await later.GetAsync(timeout: TimeSpan.FromSeconds(5)));

// A task that fails twice is retried and succeeds on its third run.
var flaky = await FlakyBeans.EnqueueAsync(21);
Console.WriteLine($"Flaky beans: {await flaky.GetAsync(timeout: TimeSpan.FromSeconds(5))}");

// A task that fails for good: reading its result throws with the remote error.
try
{
    await Explode.Enqueue("no beans left").GetAsync(timeout: TimeSpan.FromSeconds(5));
}
catch (TaskFailedException e)
{
    Console.WriteLine($"Explode failed remotely: {e.RemoteType}: {e.RemoteMessage}");
}

// A pipeline: each step gets the result of the one before it; a step that cannot take it does not compile.
var pipeline = await WeighBeans.S(10).Then(Label.Step("grams")).EnqueueAsync();
Console.WriteLine($"Pipeline: {await pipeline.GetAsync(TimeSpan.FromSeconds(5))}");

// A chord: ten weighings in parallel, then one total of all their results, exactly once.
var chord = await WeighBeans.Map(Enumerable.Range(1, 10)).Then(Total.Step()).EnqueueAsync();
Console.WriteLine($"Chord: {await chord.GetAsync(TimeSpan.FromSeconds(5))}");

// A revoked task is skipped: its result never comes.
var revoked = CountBeans.Schedule(7, delay: TimeSpan.FromMilliseconds(200));
revoked.Revoke();
try
{
    await revoked.GetAsync(timeout: TimeSpan.FromMilliseconds(800));
}
catch (TaskResultTimeoutException)
{
    Console.WriteLine("The revoked task did not run.");
}

// A recurring task (sisy): a stored record that consumers run on its schedule, here twice, a
// second apart, starting at once.
var tally = await TallyBeans.RunIterationsAsync(12, iterations: 2, runImmediately: true, userdata: new JsonObject { ["farm"] = "north" });
while (!tally.IsSpent)
{
    await Task.Delay(100);
    await tally.ReloadAsync();
}
Console.WriteLine($"Recurring task '{tally.Label}' ran {tally.RunCount} times; next run due: {tally.NextRun?.ToString() ?? "none"}");

await consumer.StopAsync();
Console.WriteLine("Done.");
