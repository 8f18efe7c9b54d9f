using Microsoft.Extensions.Options;
using TaskQueue.Consumer;

namespace TaskQueue.Hosting;

/// <summary>Checks <see cref="TaskQueueOptions"/> when the host starts; each failure names the option.</summary>
internal sealed class TaskQueueOptionsValidator : IValidateOptions<TaskQueueOptions>
{
    public ValidateOptionsResult Validate(string? name, TaskQueueOptions options)
    {
        var failures = new List<string>(options.ConfigurationErrors);
        if (options.StorageFactory is null && options.Redis is not null)
        {
            try
            {
                options.RedisOptions().Validate();
            }
            catch (ArgumentException e)
            {
                string key = e.ParamName switch
                {
                    nameof(Redis.RedisStorageOptions.ApplicationName) => "Application",
                    nameof(Redis.RedisStorageOptions.Partitions) => "Partitions",
                    _ => "Redis",
                };
                failures.Add($"{TaskQueueOptions.SectionName}:{key}: {e.Message.Split(" (Parameter")[0]}");
            }
        }
        if (options.ResultTtl is { } ttl && ttl <= TimeSpan.Zero)
        {
            failures.Add($"{TaskQueueOptions.SectionName}:ResultTtl: must be positive (or empty to keep results until read); it is {ttl}.");
        }
        if (options.MaxMessageSize < 1024)
        {
            failures.Add($"{TaskQueueOptions.SectionName}:MaxMessageSize: must be at least 1024 bytes; it is {options.MaxMessageSize}.");
        }
        if (options.StorageRetryTime < TimeSpan.Zero || options.StorageRetryTime > TaskApp.MaxStorageRetryTime)
        {
            failures.Add($"{TaskQueueOptions.SectionName}:StorageRetryTime: must be between 0 and {TaskApp.MaxStorageRetryTime.TotalMinutes:0} minutes; it is {options.StorageRetryTime}.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Checks <see cref="TaskQueueWorkerOptions"/> when the host starts; each failure names the option.</summary>
internal sealed class TaskQueueWorkerOptionsValidator : IValidateOptions<TaskQueueWorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, TaskQueueWorkerOptions options)
    {
        var failures = new List<string>(options.ConfigurationErrors);
        ConsumerOptions consumer;
        try
        {
            consumer = options.ToConsumerOptions(options.ShutdownGrace);
            consumer.Validate();
        }
        catch (ArgumentException e)
        {
            string key = e.ParamName switch
            {
                nameof(ConsumerOptions.RunPeriodic) => nameof(options.Periodic),
                nameof(ConsumerOptions.ConsumerId) => nameof(options.Name),
                { } other => other,
                null => "?",
            };
            failures.Add($"{TaskQueueWorkerOptions.SectionName}:{key}: {e.Message.Split(" (Parameter")[0].Split(Environment.NewLine)[0]}");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
