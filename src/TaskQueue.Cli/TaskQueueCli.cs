using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using TaskQueue.Redis;

namespace TaskQueue.Cli;

/// <summary>Exit codes of the command.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>What was named (a dead letter, a record) does not exist.</summary>
    public const int NotFound = 1;

    /// <summary>Bad usage or settings.</summary>
    public const int Usage = 2;

    /// <summary>The storage could not be reached.</summary>
    public const int Unreachable = 3;

    /// <summary>Anything else went wrong (the message says what).</summary>
    public const int Failed = 4;
}

/// <summary>
/// The <c>taskqueue</c> command line: global connection options (the worker's: <c>--redis</c>,
/// <c>--app</c>, their TASKQUEUE_* variables and appsettings.json), <c>--json</c>, and one
/// subcommand per listing or action (<see cref="Commands"/>).
/// </summary>
internal static class TaskQueueCli
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var parsed = Create(output, error).Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // System.CommandLine says 1 for these; here 1 means "not found", and bad usage is 2.
            foreach (var problem in parsed.Errors) await error.WriteLineAsync(problem.Message).ConfigureAwait(false);
            await error.WriteLineAsync("Run with --help for the commands and their options.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, cancellationToken)
            .ConfigureAwait(false);
    }

    internal static readonly Option<string> Redis = new("--redis")
    {
        Description = "Redis connection string, as the worker's. Env: TASKQUEUE_REDIS; or TaskQueue:Redis in ./appsettings.json.",
        Recursive = true,
    };

    internal static readonly Option<string> App = new("--app")
    {
        Description = "Application name (the namespace of its keys). Env: TASKQUEUE_APP; or TaskQueue:Application in ./appsettings.json. Default: default.",
        Recursive = true,
    };

    internal static readonly Option<bool> Json = new("--json") { Description = "Write JSON instead of a table.", Recursive = true };

    internal static readonly Option<string[]> Assemblies = new("--assembly")
    {
        Description = "An assembly with the app's tasks (repeatable), so that arguments show with their names and periodic tasks are known. " +
                      "Env: TASKQUEUE_ASSEMBLIES (comma-separated).",
        Recursive = true,
    };

    private static RootCommand Create(TextWriter output, TextWriter error)
    {
        var root = new RootCommand(
            "Looks at and operates a TaskQueue application in Redis. Exit codes: 0 done, 1 not found, 2 bad usage or settings, 3 storage unreachable, 4 any other failure.")
        {
            Redis, App, Json, Assemblies,
        };
        foreach (var command in Commands.All(output, error)) root.Subcommands.Add(command);
        return root;
    }

    /// <summary>Gives a subcommand its action: open the app as the options say, run, close, and turn failures into exit codes.</summary>
    internal static void Action(Command command, TextWriter output, TextWriter error, Func<Context, Task<int>> run)
    {
        command.SetAction(async (result, cancellationToken) =>
        {
            var settings = Settings.Read(result, out var problem);
            if (problem is not null)
            {
                await error.WriteLineAsync(problem).ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            try
            {
                TaskAssemblies.Load(settings.Assemblies);
                var storage = await RedisStorage.ConnectAsync(new RedisStorageOptions { ConnectionString = settings.Redis!, ApplicationName = settings.Application },
                    cancellationToken).ConfigureAwait(false);
                await using (storage.ConfigureAwait(false))
                {
                    await using var app = new TaskApp(storage) { Name = settings.Application };
                    return await run(new Context(app, new Output(output, result.GetValue(Json)), result, cancellationToken)).ConfigureAwait(false);
                }
            }
            catch (ArgumentException e)
            {
                await error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            catch (TaskStorageUnavailableException e)
            {
                await error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return ExitCodes.Unreachable;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await error.WriteLineAsync($"{e.GetType().Name}: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }
        });
    }
}

/// <summary>What a subcommand runs with.</summary>
internal sealed record Context(TaskApp App, Output Output, ParseResult Result, CancellationToken CancellationToken);

/// <summary>The connection settings: the command line, then TASKQUEUE_* variables, then ./appsettings.json.</summary>
internal sealed record Settings(string? Redis, string Application, IReadOnlyList<string> Assemblies)
{
    public static Settings Read(ParseResult result, out string? problem)
    {
        problem = null;
        var file = AppSettings();
        string? redis = Text(result.GetValue(TaskQueueCli.Redis)) ?? Environment("TASKQUEUE_REDIS") ?? file.Redis;
        string application = Text(result.GetValue(TaskQueueCli.App)) ?? Environment("TASKQUEUE_APP") ?? file.Application ?? "default";
        var assemblies = result.GetValue(TaskQueueCli.Assemblies) is { Length: > 0 } given ? given
            : Environment("TASKQUEUE_ASSEMBLIES")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        if (redis is null) problem = "No Redis named: give --redis HOST:PORT (or TASKQUEUE_REDIS, or TaskQueue:Redis in ./appsettings.json).";
        return new Settings(redis, application, assemblies);
    }

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string? Environment(string variable) => Text(System.Environment.GetEnvironmentVariable(variable));

    private static (string? Redis, string? Application) AppSettings()
    {
        const string path = "appsettings.json";
        if (!File.Exists(path)) return (null, null);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (!document.RootElement.TryGetProperty("TaskQueue", out var section) || section.ValueKind != JsonValueKind.Object) return (null, null);
            return (Get(section, "Redis"), Get(section, "Application"));
        }
        catch (JsonException)
        {
            return (null, null); // not ours to judge; the options above still apply
        }

        static string? Get(JsonElement section, string name)
            => section.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? Text(value.GetString()) : null;
    }
}

/// <summary>Loads assemblies with tasks, whose generated code registers them when the assembly initializes.</summary>
internal static class TaskAssemblies
{
    public static void Load(IReadOnlyList<string> paths)
    {
        foreach (var path in paths)
        {
            var full = Path.GetFullPath(path);
            if (!File.Exists(full)) throw new ArgumentException($"--assembly {path}: no such file");
            Assembly assembly;
            try
            {
                assembly = Assembly.LoadFrom(full);
            }
            catch (BadImageFormatException e)
            {
                throw new ArgumentException($"--assembly {path}: not a .NET assembly ({e.Message})", e);
            }
            RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
        }
    }
}

/// <summary>Formatting shared by the commands.</summary>
internal static class Formats
{
    public static string Time(DateTimeOffset? time) => time?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) ?? "";
}
