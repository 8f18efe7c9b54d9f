namespace TaskQueue;

public sealed partial class TaskApp
{
    /// <summary>
    /// Pre- and post-execute hooks around every run of this app's tasks, and startup and shutdown hooks in every worker
    /// of its consumers (huey's hooks); see <see cref="TaskHooks"/>.
    /// </summary>
    public TaskHooks Hooks { get; } = new();
}
