using System.Diagnostics;
using System.Globalization;

namespace FastLoad.Tests.Infrastructure;

/// <summary>
/// Scrapes a running <c>fastload run</c> or <c>probe</c>'s <c>/metrics</c> as a Prometheus server would (faster), from
/// before it listens until the page says the run has finished, and stops the process once it lingers.
/// </summary>
public static class MetricsScraper
{
    /// <summary>
    /// Scrapes <c>http://127.0.0.1:<paramref name="port"/>/metrics</c> every <paramref name="interval"/>, handing each
    /// page to <paramref name="onPage"/>, until one has <c>fastload_run_stage{stage="finished"} 1</c>; returns that one.
    /// Fails when the process exits first or after 120 s.
    /// </summary>
    public static async Task<PrometheusText> UntilFinishedAsync(RunningFastload fastload, HttpClient http, int port, TimeSpan interval, Action<PrometheusText> onPage)
    {
        string url = Url(port);
        var waited = Stopwatch.StartNew();
        while (true)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(120), $"no finished scrape after 120 s: {fastload.Output}");
            Assert.False(fastload.Process.HasExited, fastload.Output);
            PrometheusText page;
            try
            {
                page = await PrometheusText.ScrapeAsync(http, url);
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100); // not listening yet
                continue;
            }
            onPage(page);
            if (page.Value("fastload_run_stage", ("stage", "finished")) == 1) return page;
            await Task.Delay(interval);
        }
    }

    /// <summary>
    /// Waits for the <c>--metrics-linger</c> line (the results file is written by then), scrapes once more, then stops
    /// the process with SIGTERM and checks it exited 0; returns the lingering page.
    /// </summary>
    public static async Task<PrometheusText> LingeringThenStopAsync(RunningFastload fastload, HttpClient http, int port)
    {
        await fastload.WaitForLineAsync("serving the final figures", TimeSpan.FromSeconds(30));
        PrometheusText lingering = await PrometheusText.ScrapeAsync(http, Url(port));
        using (var kill = Process.Start("kill", ["-TERM", fastload.Process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        await fastload.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(fastload.Process.ExitCode == 0, fastload.Output);
        return lingering;
    }

    public static string Url(int port) => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/metrics");
}
