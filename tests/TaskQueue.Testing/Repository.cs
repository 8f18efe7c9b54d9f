namespace TaskQueue.Testing;

/// <summary>Where the repository is, for tests that read its files or run what the build put in it.</summary>
public static class Repository
{
    /// <summary>The folder that holds TaskQueue.sln, found upward from the test's own folder.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TaskQueue.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("TaskQueue.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
