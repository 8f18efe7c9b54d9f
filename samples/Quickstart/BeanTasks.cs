using TaskQueue;

namespace Beans;

public static class BeanTasks
{
    // A task: the generator turns it into the stub class Beans.CountBeans.
    [Task]
    public static string CountBeans(int num) => $"Counted {num} beans";

    // Async tasks may take a TaskContext and a CancellationToken besides their arguments.
    [Task(Retries = 2)]
    public static async Task<int> FlakyBeans(int num, TaskContext context, CancellationToken cancellationToken)
    {
        await Task.Delay(10, cancellationToken);
        if (context.RetriesLeft > 0)
        {
            throw new InvalidOperationException($"the bean counter jammed ({context.RetriesLeft} retries left)");
        }
        return num * 2;
    }

    [Task]
    public static void Explode(string why) => throw new NotSupportedException(why);
}
