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

    // Workflow steps: a pipeline passes each result on as the next step's first argument, and a
    // chord's callback gets every member's result at once.
    [Task]
    public static int WeighBeans(int num) => num * 3;

    [Task]
    public static string Label(int grams, string unit) => $"{grams} {unit}";

    [Task]
    public static int Total(int[] weights) => weights.Sum();

    // A periodic task: every consumer's ticker enqueues it every two seconds, once per tick.
    [PeriodicTask("*/2 * * * * *")]
    public static void SweepBarn(TaskContext context) => Console.WriteLine($"Swept the barn for {context.Eta:HH:mm:ss}");

    // A task that recurring-task records run; their userdata reaches it through the context.
    [Task]
    public static void TallyBeans(int num, TaskContext context) => Console.WriteLine($"Tallied {num} beans from the {context.UserData["farm"]} farm");
}
