namespace TaskQueue;

/// <summary>Task ids: 32 lowercase hex digits of a random <see cref="Guid"/>.</summary>
public static class TaskId
{
    /// <summary>A new random task id.</summary>
    public static string New() => Guid.NewGuid().ToString("N");
}
