using TaskQueue;

namespace Kitchen;

/// <summary>A soup to taste.</summary>
public sealed record Soup(string Name, int Salt, List<string> Herbs);

/// <summary>The kitchen's tasks: some quick, some slow, some that fail now and then, one periodic.</summary>
public static class KitchenTasks
{
    /// <summary>Takes a while, so that the workers page has something running.</summary>
    [Task]
    public static async Task<string> BakeBread(string kind, int loaves, CancellationToken cancellationToken)
    {
        await Task.Delay(200 + 100 * loaves, cancellationToken);
        return $"{loaves} loaves of {kind}";
    }

    /// <summary>Fails one time in five and is retried twice, on a queue of its own.</summary>
    [Task(Queue = "stove", Retries = 2, RetryDelaySeconds = 2)]
    public static int FryEggs(int eggs)
    {
        if (Random.Shared.Next(5) == 0) throw new InvalidOperationException($"the pan is too hot for {eggs} eggs");
        return eggs;
    }

    /// <summary>Refuses a soup with too much salt, with no retry: its error and stack trace show under Failures.</summary>
    [Task]
    public static string TasteSoup(Soup soup)
    {
        if (soup.Salt > 7) throw new ArgumentException($"{soup.Name} is too salty ({soup.Salt}/10)", nameof(soup));
        return $"{soup.Name} is good";
    }

    /// <summary>Counts one ingredient: run by a recurring record made at start-up.</summary>
    [Task]
    public static int CountStock(string ingredient) => ingredient.Length * 10;

    /// <summary>Every 30 seconds, on every consumer's ticker, once per occurrence.</summary>
    [PeriodicTask("*/30 * * * * *")]
    public static void SweepFloor(TaskContext context) => Console.WriteLine($"swept the floor for {context.Eta:HH:mm:ss}");
}
