using System.Text;
using System.Text.Json;
using TaskQueue.Fuzzing;

namespace TaskQueue.Generator.Tests;

/// <summary>
/// The argument renderers of every fuzzed shape fed the decoder fuzzer's hostile payloads: whatever the
/// bytes, <see cref="TaskDescriptor.RenderArguments"/> returns one JSON object of bounded size and throws nothing.
/// </summary>
public sealed class RenderingFuzzTests
{
    private const int Seed = 20260407;

    [Fact]
    public void Renderers_turn_20_000_hostile_payloads_into_bounded_json_objects_without_throwing()
    {
        var shapes = FuzzTargets.Create()
            .Where(t => t.Name.StartsWith("arguments of ", StringComparison.Ordinal))
            .Select(t => (Task: Descriptor(t.Name["arguments of ".Length..]), t.Seeds))
            .ToList();
        Assert.NotEmpty(shapes);
        var failures = new List<string>();
        int errors = 0;

        for (int n = 0; n < 20_000 && failures.Count < 10; n++)
        {
            var rng = new Random(HashCode.Combine(Seed, n));
            var (task, seeds) = shapes[rng.Next(shapes.Count)];
            var (input, mutation) = Mutator.Mutate(seeds[rng.Next(seeds.Count)], rng);
            try
            {
                string json = task.RenderArguments(input);
                using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 1024 });
                if (document.RootElement.ValueKind != JsonValueKind.Object) failures.Add($"case {n} ({task.Name}; {mutation}): not an object: {json[..Math.Min(json.Length, 80)]}");
                if (Encoding.UTF8.GetByteCount(json) > 64 * 1024 + 1024) failures.Add($"case {n} ({task.Name}; {mutation}): {json.Length:N0} characters");
                if (document.RootElement.TryGetProperty("$error", out _)) errors++;
            }
            catch (Exception e)
            {
                failures.Add($"case {n} ({task.Name}; {mutation}): threw {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // Most mutations break the payload for its task; the rest still render with names.
        Assert.InRange(errors, 2_000, 19_000);
    }

    private static TaskDescriptor Descriptor(string name)
    {
        Assert.True(TaskCatalog.Registered.TryGet(name, out var task), name);
        return task;
    }
}
