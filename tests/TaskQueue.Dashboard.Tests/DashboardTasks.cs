using System.Collections.Concurrent;

namespace TaskQueue.Dashboard.Tests;

/// <summary>The tasks the dashboard tests run. None is periodic: every worker of these tests would fire it.</summary>
public static class DashboardTasks
{
    /// <summary>How many times <see cref="Mark"/> ran for each key.</summary>
    public static readonly ConcurrentDictionary<string, int> Runs = new();

    public static int RunsOf(string key) => Runs.GetValueOrDefault(key);

    /// <summary>A new key no other test uses.</summary>
    public static string NewKey() => Guid.NewGuid().ToString("N")[..12];

    [Task]
    public static string Mark(string key)
    {
        Runs.AddOrUpdate(key, 1, (_, n) => n + 1);
        return "marked " + key;
    }

    [Task(Queue = "mail")]
    public static string SendMail(string to) => "sent to " + to;

    /// <summary>On a queue the browser tests' worker does not serve: its messages wait.</summary>
    [Task(Queue = "reports")]
    public static void BuildReport(string name)
    {
    }

    [Task]
    public static void Explode(string why) => throw new InvalidOperationException(why);

    [Task]
    public static string Echo(string text) => text;
}
