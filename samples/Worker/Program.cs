using TaskQueue.Worker;

// The tasks live in samples/SampleTasks; the generated code of this program registers them at start.
return await TaskQueueWorker.RunAsync(args);
