using TaskQueue.Cli;

return await TaskQueueCli.RunAsync(args, Console.Out, Console.Error);
