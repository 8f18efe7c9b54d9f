using TaskQueue.Storage;

namespace TaskQueue.Dashboard.Tests;

/// <summary>Makes dead letters as a worker does: a message is taken from its queue and set aside with a reason.</summary>
internal static class DeadLetters
{
    /// <summary>
    /// Enqueues <c>Mark(key)</c>, takes it as a consumer that nobody else sees, and sends it to dead
    /// letters. Call it while no worker serves the default queue. Returns the task's id.
    /// </summary>
    public static async Task<string> OfMarkAsync(TaskApp app, string key, string reason)
    {
        var sent = await Mark.With(app).EnqueueAsync(key);
        var batch = await app.Storage.TakeAsync([TaskDescriptor.DefaultQueue], "dashboard-test", 1, TimeSpan.Zero);
        var taken = Assert.Single(batch.Messages);
        await app.Storage.CompleteAsync("dashboard-test", [Completion.ToDeadLetters(taken, reason)]);
        return sent.Id;
    }

    /// <summary>The id of the dead letter of task <paramref name="taskId"/>.</summary>
    public static async Task<string> IdOfAsync(TaskApp app, string taskId)
        => Assert.Single(await app.Operations.DeadLettersAsync(), d => d.Message.Id == taskId).Id;
}
