using System.Collections.Concurrent;

namespace TaskQueue.Hosting.Tests;

/// <summary>A scoped service of the host's container.</summary>
public sealed class Greeter
{
    public string Greet(string name) => $"hello {name}";
}

public static class HostTasks
{
    [Task]
    public static string Hello(string name, [FromServices] Greeter greeter) => greeter.Greet(name);

    public static readonly ConcurrentDictionary<string, int> Started = new();

    /// <summary>Runs until its token fires (the grace period ended) or <paramref name="milliseconds"/> pass.</summary>
    [Task]
    public static async Task<int> Linger(string key, int milliseconds, CancellationToken cancellationToken)
    {
        Started.AddOrUpdate(key, 1, (_, n) => n + 1);
        await Task.Delay(milliseconds, cancellationToken);
        return milliseconds;
    }
}

public static class LoggingTasks
{
    [Task]
    public static void Shout(string text, [FromServices] Microsoft.Extensions.Logging.ILoggerFactory logs)
        => Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(logs.CreateLogger("Shouter"), "shouting {Text}", text);
}
