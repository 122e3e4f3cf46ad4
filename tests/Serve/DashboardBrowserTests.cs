using DuckDB.NET.Data;
using FastLoad.Engine.DuckDb;
using FastLoad.Tests.Infrastructure;
using FastLoad.Tests.Integration;
using PuppeteerSharp;

namespace FastLoad.Tests.Serve;

/// <summary>
/// Issue 12 part 2: the dashboard of <c>fastload serve</c> in a real browser (the system chromium, driven over the
/// DevTools protocol by PuppeteerSharp) against a real anvil: a person enters the token, starts a run, watches the
/// charts move, stops it, and finds it among the past runs with its report. Leaves a screenshot in TestResults/.
/// </summary>
[Collection(nameof(SaturatingCollection))]
public class DashboardBrowserTests
{
    [Fact]
    public async Task A_run_started_from_the_page_draws_moving_charts_and_stops_as_interrupted()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        using ServeProcess serve = await ServeProcess.StartAsync();
        await using IBrowser browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = Chromium.Path,
            Headless = true,
            // No network beyond loopback: no sandbox (root in CI), no GPU, no background fetches.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio"],
            DefaultViewport = new ViewPortOptions { Width = 1800, Height = 1100 },
            Timeout = 60_000,
        });
        await using IPage page = await browser.NewPageAsync();
        var pageErrors = new List<string>();
        page.PageError += (_, e) => { lock (pageErrors) pageErrors.Add(e.Message); };
        await page.GoToAsync(serve.Url.ToString(), WaitUntilNavigation.Load);
        Assert.Equal("FastLoad dashboard", await page.GetTitleAsync());
        Assert.True(await page.EvaluateExpressionAsync<bool>("typeof uPlot === 'function'"), "uPlot did not load from /static/vendor");

        // Without the token the start is refused, and the page says why.
        await FillAsync(page, "#rpc", node.Url.ToString());
        await FillAsync(page, "#rate", "40");
        await FillAsync(page, "#duration", "120s");
        await FillAsync(page, "#wallets", "10");
        await page.ClickAsync("#start");
        await page.WaitForFunctionAsync("() => document.getElementById('message').textContent.startsWith('401')", new WaitForFunctionOptions { Timeout = 30_000 });

        // With it the run starts, and the charts fill a point a second.
        await FillAsync(page, "#token", ServeProcess.Token);
        await page.ClickAsync("#start");
        await page.WaitForFunctionAsync("() => window.fastloadDashboard.runId !== null", new WaitForFunctionOptions { Timeout = 60_000 });
        string id = await page.EvaluateExpressionAsync<string>("window.fastloadDashboard.runId");
        const string sendingPoints = "window.fastloadDashboard.figures.filter(f => f.stage === 'sending' && f.achievedRate > 0).length";
        await page.WaitForFunctionAsync($"() => {sendingPoints} >= 3", new WaitForFunctionOptions { Timeout = 90_000 });
        int pointsBefore = await page.EvaluateExpressionAsync<int>("window.fastloadDashboard.chartPoints()");
        string canvasBefore = await page.EvaluateExpressionAsync<string>("document.querySelector('#chart-rate canvas').toDataURL()");
        long sentBefore = await page.EvaluateExpressionAsync<long>("window.fastloadDashboard.figures.at(-1).sent");
        await page.WaitForFunctionAsync($"() => window.fastloadDashboard.chartPoints() >= {pointsBefore + 2}", new WaitForFunctionOptions { Timeout = 30_000 });
        string canvasAfter = await page.EvaluateExpressionAsync<string>("document.querySelector('#chart-rate canvas').toDataURL()");
        Assert.NotEqual(canvasBefore, canvasAfter); // the rate chart was redrawn with the new points
        // The last figures and the tile showing them, read at one moment.
        string[] latest = (await page.EvaluateExpressionAsync<string>("window.fastloadDashboard.figures.at(-1).sent + '|' + document.getElementById('t-sent').textContent")).Split('|');
        long sentAfter = long.Parse(latest[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(sentAfter > sentBefore, $"sent {sentBefore} then {sentAfter}");
        Assert.Equal(sentAfter.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), latest[1]);
        Assert.Equal(40, await page.EvaluateExpressionAsync<double>("window.fastloadDashboard.figures.at(-1).targetRate"));
        Assert.Equal(node.Url.ToString(), await TextAsync(page, "#nodes tbody td.url"));
        Assert.Equal("sending", await TextAsync(page, "#run-status"));
        Assert.Equal(id, await TextAsync(page, "#runs tbody tr td"));

        string shot = Path.Combine(TestPaths.RepoRoot, "TestResults", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(shot)!);
        await page.ScreenshotAsync(shot, new ScreenshotOptions { FullPage = true });
        (long pixels, long notBackground, int colours) = Chromium.PngStats(shot);
        Assert.True(notBackground > pixels / 20 && colours > 50, $"screenshot looks empty: {notBackground} of {pixels} pixels drawn, {colours} colours");

        // Stop from the page: the run ends as Ctrl-C ends one, its results file kept, and it is listed with a report.
        await page.ClickAsync("#stop");
        await page.WaitForFunctionAsync("() => window.fastloadDashboard.status === 'interrupted'", new WaitForFunctionOptions { Timeout = 60_000 });
        Assert.Equal("interrupted", await TextAsync(page, "#run-status"));
        Assert.StartsWith($"run {id} ended: interrupted", await TextAsync(page, "#message"), StringComparison.Ordinal);
        await page.WaitForFunctionAsync($"() => [...document.querySelectorAll('#runs tbody tr')].some(r => r.dataset.id === '{id}' && r.textContent.includes('interrupted') && r.querySelector('a'))",
            new WaitForFunctionOptions { Timeout = 30_000 });
        string reportHref = await page.EvaluateExpressionAsync<string>($"document.querySelector('#runs tbody tr[data-id=\"{id}\"] a').href");
        Assert.Equal(new Uri(serve.Url, $"api/runs/{id}/report").ToString(), reportHref);
        await using (IPage report = await browser.NewPageAsync())
        {
            IResponse response = await report.GoToAsync(reportHref, WaitUntilNavigation.Load);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.Status);
            Assert.True(await report.EvaluateExpressionAsync<int>("document.querySelectorAll('svg').length") > 0);
        }

        string file = Path.Combine(serve.ResultsFolder, id + ".duckdb");
        Assert.True(File.Exists(file), file);
        using DuckDBConnection db = DuckDbSql.Open(file);
        ResultTable run = db.Table("SELECT status, sent FROM runs");
        Assert.Equal("interrupted", run.GetString(0, 0));
        Assert.True(run.GetInt64(0, 1) >= sentAfter, $"file {run.GetInt64(0, 1)} sent, page saw {sentAfter}");
        Assert.Equal(run.GetInt64(0, 1), await page.EvaluateExpressionAsync<long>("window.fastloadDashboard.figures.at(-1).sent"));
        lock (pageErrors) Assert.Empty(pageErrors);
    }

    private static async Task FillAsync(IPage page, string selector, string value)
    {
        await page.EvaluateFunctionAsync("(s) => { document.querySelector(s).value = ''; }", selector);
        await page.TypeAsync(selector, value);
    }

    private static Task<string> TextAsync(IPage page, string selector) =>
        page.EvaluateFunctionAsync<string>("(s) => document.querySelector(s).textContent.trim()", selector);
}
