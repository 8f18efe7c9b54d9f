using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace TaskQueue.Hosting;

/// <summary>
/// Reads the TaskQueue configuration sections into the options, key by key, without reflection (so
/// it is trim- and AOT-safe). A value that does not parse is an error naming its key, reported when
/// the host starts.
/// </summary>
internal sealed class ConfigurationReader(IConfiguration section, List<string> errors)
{
    public string? Text(string key) => section[key] is { Length: > 0 } value ? value : null;

    public void Text(string key, Action<string> set)
    {
        if (Text(key) is { } value) set(value);
    }

    public void Int(string key, Action<int> set)
    {
        if (Text(key) is not { } value) return;
        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed)) set(parsed);
        else errors.Add($"{Path(key)}: '{value}' is not a whole number.");
    }

    public void Bool(string key, Action<bool> set)
    {
        if (Text(key) is not { } value) return;
        if (bool.TryParse(value, out bool parsed)) set(parsed);
        else errors.Add($"{Path(key)}: '{value}' is not true or false.");
    }

    /// <summary>A time span as <c>[d.]hh:mm:ss[.fff]</c>, or a number of seconds.</summary>
    public void Duration(string key, Action<TimeSpan> set)
    {
        if (Text(key) is not { } value) return;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && double.IsFinite(seconds))
        {
            set(TimeSpan.FromSeconds(seconds));
        }
        else if (TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span))
        {
            set(span);
        }
        else
        {
            errors.Add($"{Path(key)}: '{value}' is not a time span (hh:mm:ss, or a number of seconds).");
        }
    }

    /// <summary>A list as array items (<c>Queues:0</c>, <c>Queues:1</c>) or one comma-separated value.</summary>
    public void List(string key, Action<List<string>> set)
    {
        var child = section.GetSection(key);
        var items = child.GetChildren().Select(c => c.Value).OfType<string>().Where(v => v.Length > 0).ToList();
        if (items.Count == 0 && child.Value is { Length: > 0 } joined)
        {
            items = [.. joined.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        }
        if (items.Count > 0) set(items);
    }

    private string Path(string key) => section is IConfigurationSection s ? s.Path + ":" + key : key;

    public static void Read(IConfiguration? configuration, TaskQueueOptions options, List<string> errors)
    {
        if (configuration is null) return;
        var r = new ConfigurationReader(configuration.GetSection(TaskQueueOptions.SectionName), errors);
        r.Text(nameof(options.Redis), v => options.Redis = v);
        r.Text(nameof(options.Application), v => options.Application = v);
        r.Bool(nameof(options.StoreResults), v => options.StoreResults = v);
        r.Bool(nameof(options.StoreNone), v => options.StoreNone = v);
        r.Bool(nameof(options.StoreErrors), v => options.StoreErrors = v);
        r.Duration(nameof(options.ResultTtl), v => options.ResultTtl = v);
        r.Bool(nameof(options.Eager), v => options.Eager = v);
        r.Int(nameof(options.MaxMessageSize), v => options.MaxMessageSize = v);
        r.Duration(nameof(options.StorageRetryTime), v => options.StorageRetryTime = v);
        foreach (var partitioned in configuration.GetSection(TaskQueueOptions.SectionName).GetSection(nameof(options.Partitions)).GetChildren())
        {
            if (int.TryParse(partitioned.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int count)) options.Partitions[partitioned.Key] = count;
            else errors.Add($"{partitioned.Path}: '{partitioned.Value}' is not a whole number of partitions.");
        }
        if (r.Text("SigningKeys") is { } keys)
        {
            try
            {
                options.Signing = Messages.MessageSigning.Parse(keys);
            }
            catch (FormatException e)
            {
                // The message names the key id, never the secret.
                errors.Add($"{TaskQueueOptions.SectionName}:SigningKeys: {e.Message}.");
            }
        }
        if (r.Text("Storage") is { } storage)
        {
            if (storage.Equals("InMemory", StringComparison.OrdinalIgnoreCase) || storage.Equals("Memory", StringComparison.OrdinalIgnoreCase)) options.UseInMemory();
            else if (!storage.Equals("Redis", StringComparison.OrdinalIgnoreCase)) errors.Add($"{TaskQueueOptions.SectionName}:Storage: '{storage}' is not Redis or InMemory.");
        }
    }

    public static void Read(IConfiguration? configuration, TaskQueueWorkerOptions options, List<string> errors)
    {
        if (configuration is null) return;
        var r = new ConfigurationReader(configuration.GetSection(TaskQueueWorkerOptions.SectionName), errors);
        r.Int(nameof(options.Workers), v => options.Workers = v);
        r.List(nameof(options.Queues), v => options.Queues = v);
        r.Text(nameof(options.Name), v => options.Name = v);
        r.Int(nameof(options.BatchSize), v => options.BatchSize = v);
        r.Duration(nameof(options.ShutdownGrace), v => options.ShutdownGrace = v);
        r.Duration(nameof(options.VisibilityTimeout), v => options.VisibilityTimeout = v);
        r.Duration(nameof(options.TimeoutGrace), v => options.TimeoutGrace = v);
        r.Int(nameof(options.MaxRedeliveries), v => options.MaxRedeliveries = v);
        r.Duration(nameof(options.UnknownTaskGrace), v => options.UnknownTaskGrace = v);
        r.Bool(nameof(options.Periodic), v => options.Periodic = v);
        r.Bool(nameof(options.Recurring), v => options.Recurring = v);
        r.Bool(nameof(options.Scheduler), v => options.Scheduler = v);
    }
}
