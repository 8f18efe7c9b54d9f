using TaskQueue;
using TaskQueue.Worker;

// The tasks live in a library this program does not otherwise touch: include its dispatch table.
TaskRegistry.Include(typeof(Shop.OrderTasks).Assembly);
return await TaskQueueWorker.RunAsync(args);
