using PuppeteerSharp;

namespace TaskQueue.Dashboard.Tests.Browser;

/// <summary>
/// One headless Chromium for the browser tests: Debian's <c>chromium</c> (or the executable named by
/// <c>TASKQUEUE_CHROMIUM</c>), driven by PuppeteerSharp over the DevTools protocol; nothing is downloaded.
/// Without Chromium the tests are skipped with a message, unless they are required: under CI
/// (<c>CI=true</c>), or when <c>TASKQUEUE_CHROMIUM</c> names an executable that is not there. Then they fail.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    /// <summary>The environment variable naming the Chromium executable (the test command sets it).</summary>
    public const string EnvironmentVariable = "TASKQUEUE_CHROMIUM";

    private static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

    private IBrowser? browser;

    /// <summary>The executable: the one the environment names, else the first of the usual paths that exists; null when there is none.</summary>
    public static string? ExecutablePath { get; } = Find();

    /// <summary>Whether a missing Chromium fails the tests instead of skipping them.</summary>
    public static bool Required => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
        || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>Why the browser tests are skipped, or null when they run.</summary>
    public static string? SkipReason => ExecutablePath is null && !Required
        ? "Chromium was not found (set TASKQUEUE_CHROMIUM, or apt-get install chromium); with CI=true this is a failure."
        : null;

    /// <summary>The browser.</summary>
    public IBrowser Browser => browser ?? throw new InvalidOperationException(Missing);

    private static string Missing => $"Chromium is required (CI=true, or {EnvironmentVariable} is set) and was not found: "
        + $"{EnvironmentVariable}='{Environment.GetEnvironmentVariable(EnvironmentVariable)}'; install Debian's chromium package (apt-get install chromium).";

    /// <summary>A new page (its own tab) the size of a laptop screen.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var page = await Browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1280, Height = 900 });
        page.DefaultTimeout = 30_000;
        return page;
    }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        if (ExecutablePath is null)
        {
            // Fails every test of the collection, rather than letting them pass without a browser.
            if (Required) throw new InvalidOperationException(Missing);
            return;
        }
        var args = new List<string> { "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run", "--no-default-browser-check", "--no-proxy-server" };
        // Chromium refuses to run as root with its sandbox on; CI containers and this machine run tests as root.
        if (Environment.UserName == "root") args.Add("--no-sandbox");
        browser = await Puppeteer.LaunchAsync(new LaunchOptions { Headless = true, ExecutablePath = ExecutablePath, Args = [.. args] });
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (browser is not null) await browser.DisposeAsync();
    }

    private static string? Find()
    {
        var named = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(named)) return File.Exists(named) ? named : null;
        return Candidates.FirstOrDefault(File.Exists);
    }
}

/// <summary>A test that drives Chromium: skipped with a reason when there is none, unless CI requires it.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    /// <summary>Skips the test when <see cref="ChromiumFixture.SkipReason"/> says so.</summary>
    public BrowserFactAttribute()
    {
        if (ChromiumFixture.SkipReason is { } reason) Skip = reason;
    }
}
