return await TaskQueue.Worker.TaskQueueWorker.RunAsync(args);
