using System.Linq;
using TaskQueue.Generator.Model;

namespace TaskQueue.Generator.Emitting;

/// <summary>XML documentation lines for generated members, so a user's build with documentation files stays warning-free.</summary>
internal static class Docs
{
    public static void Summary(SourceWriter w, string text)
    {
        w.WriteLine("/// <summary>" + text + "</summary>");
    }

    public static void Param(SourceWriter w, string name, string text)
    {
        w.WriteLine($"/// <param name=\"{name}\">{text}</param>");
    }

    public static void Returns(SourceWriter w, string text)
    {
        w.WriteLine("/// <returns>" + text + "</returns>");
    }

    /// <summary>One <c>param</c> line per payload parameter.</summary>
    public static void PayloadParams(SourceWriter w, StubShape shape)
    {
        foreach (var p in shape.Payload)
        {
            Param(w, p.Name, $"The task's <c>{Escape(p.Name)}</c> argument.");
        }
    }

    public static void RetryParams(SourceWriter w)
    {
        Param(w, "retries", "Retries for this run; null keeps the task's default.");
        Param(w, "retryDelay", "Delay before each retry of this run; null keeps the task's default.");
        Param(w, "priority", "Priority of this run in its queue (higher runs first); null keeps the task's default.");
    }

    public static void CancellationParam(SourceWriter w, string what = "Cancels the call.")
    {
        Param(w, "cancellationToken", what);
    }

    /// <summary>Escapes text for XML documentation.</summary>
    public static string Escape(string text)
        => text.Any(c => c is '&' or '<' or '>') ? text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;") : text;

    /// <summary>The <c>returns</c> line of a member that hands back result handles.</summary>
    public static string ResultReturns(TaskSpec spec)
        => spec.Return.Value is null
            ? "A handle on the run: its id, waiting for it to finish, revoking it."
            : "A handle on the run: its id, its result, revoking it.";
}
