using Microsoft.Playwright;

namespace HelpDesk.Console.Tests.Infrastructure;

/// <summary>
/// Debian's chromium driven by Playwright (never a Playwright browser download), against a <see cref="ConsoleServer"/>.
/// A missing browser fails the tests: scripts/test installs it, and CI must never pass by skipping them.
/// </summary>
public class BrowserHost : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public ConsoleServer Server { get; }

    public BrowserHost() : this(new ConsoleServer()) { }

    /// <summary>For a fixture whose server needs settings (xunit fixtures may have one public constructor: derive).</summary>
    protected BrowserHost(ConsoleServer server) => Server = server;
    public IBrowser Browser { get; private set; } = null!;
    private IPlaywright _playwright = null!;

    public static string ScreenshotDirectory { get; } =
        Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "TestResults", "screenshots"));

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: apt-get install -y --no-install-recommends chromium (scripts/test does this).");
        await Server.InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await Server.DisposeAsync();
    }

    /// <summary>A fresh browser context signed in as <paramref name="agent"/> through the login page, on the console.</summary>
    public async Task<IPage> SignInAsync(TestAgent agent, string? timeZone = null)
    {
        var page = await LoginPageAsync(timeZone);
        await SubmitLoginAsync(page, agent.Email, "correct-horse-battery");
        await page.WaitForSelectorAsync("body[data-ready=true]");
        return page;
    }

    /// <summary>A fresh browser context that asked for the console and was sent to the login page.</summary>
    /// <param name="timeZone">The browser's IANA time zone; by default the machine's.</param>
    public async Task<IPage> LoginPageAsync(string? timeZone = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Server.BaseAddress.ToString(), ViewportSize = new ViewportSize { Width = 1440, Height = 900 }, TimezoneId = timeZone });
        await ConsoleConnection.WatchSocketsAsync(context);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await page.WaitForURLAsync("**/login**");
        return page;
    }

    public static async Task SubmitLoginAsync(IPage page, string email, string password)
    {
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("button[type=submit]");
    }

    public static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, $"{name}.png"), FullPage = true });
}
