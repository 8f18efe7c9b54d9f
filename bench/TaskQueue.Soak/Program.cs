// The soak of issue 11: a steady load on worker processes while one of them is SIGKILLed at
// intervals, then every task's runs counted. Usage: SoakOptions.Usage, or run with --help.
// Run as "worker ..." it is one of those worker processes (TaskQueueWorker with the soak's task).
using TaskQueue.Load;
using TaskQueue.Soak;
using TaskQueue.Worker;

if (args is ["worker", .. var workerArgs]) return await TaskQueueWorker.RunAsync(workerArgs);

SoakOptions options;
try
{
    options = SoakOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine();
    Console.Error.WriteLine(SoakOptions.Usage);
    return 2;
}
if (options.Help)
{
    Console.WriteLine(SoakOptions.Usage);
    return 0;
}

await using var server = options.Redis is null ? await PrivateRedis.StartAsync() : null;
return await new SoakRun(options, options.Redis ?? server!.Endpoint).RunAsync();
