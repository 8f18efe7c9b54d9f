using Microsoft.Extensions.Hosting;

namespace TaskQueue.Hosting;

/// <summary>Makes the container's <see cref="TaskApp"/> the ambient <see cref="TaskApp.Default"/> when the host starts, for the generated stubs.</summary>
internal sealed class TaskAppActivator(TaskApp app) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        TaskApp.Default = app;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
