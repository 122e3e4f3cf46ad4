using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace FastLoad.Tests.Infrastructure;

/// <summary>
/// A real Prometheus server (the Debian package, from <c>native/install.sh --with-prometheus</c>) on a free loopback
/// port, with a generated config scraping the given targets every second and its data in a scratch directory; its
/// HTTP API answers instant queries. Disposing stops it (SIGTERM, then kill).
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _log = new();

    private PrometheusServer(Process process, Uri url)
    {
        _process = process;
        Url = url;
        Http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) };
    }

    public Uri Url { get; }

    public HttpClient Http { get; }

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>The prometheus binary, or null when it is not installed.</summary>
    public static string? Binary() =>
        new[] { "/usr/bin/prometheus", "/usr/local/bin/prometheus" }.FirstOrDefault(File.Exists);

    /// <summary>Starts it scraping each target (host:port, path /metrics) every second, and waits until it is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(params string[] targets)
    {
        string binary = Binary() ?? throw new InvalidOperationException("prometheus is not installed: run native/install.sh --with-prometheus (as root: it apt-get installs the Debian package prometheus)");
        string dir = Directory.CreateDirectory(Path.Combine(TestPaths.Scratch, $"prometheus-{Guid.NewGuid():N}")).FullName;
        string config = Path.Combine(dir, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 900ms
              evaluation_interval: 1s
            scrape_configs:
              - job_name: fastload
                static_configs:
                  - targets: [{string.Join(", ", targets.Select(t => $"'{t}'"))}]
            """);
        int port = FastLoad.Engine.Nodes.LocalAnvil.FreePort();
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir };
        foreach (string arg in new[]
                 {
                     $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(dir, "data")}", $"--web.listen-address=127.0.0.1:{port}",
                     "--storage.tsdb.retention.time=1h", "--log.level=warn",
                 })
            start.ArgumentList.Add(arg);
        var server = new PrometheusServer(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}/"));
        server._process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (server._process.HasExited) throw new InvalidOperationException($"prometheus exited ({server._process.ExitCode}): {server.Log}");
            try
            {
                using HttpResponseMessage ready = await server.Http.GetAsync("-/ready");
                if (ready.IsSuccessStatusCode) return server;
            }
            catch (HttpRequestException)
            {
            }
            if (waited.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException($"prometheus not ready after 60 s: {server.Log}");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// <c>GET /api/v1/query?query=…</c>: each series' labels and value (an instant vector); throws on an API error.
    /// </summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        using HttpResponseMessage response = await Http.GetAsync($"api/v1/query?query={Uri.EscapeDataString(promql)}");
        string body = await response.Content.ReadAsStringAsync();
        using JsonDocument json = JsonDocument.Parse(body);
        if (json.RootElement.GetProperty("status").GetString() != "success") throw new InvalidOperationException($"query {promql}: {body}");
        JsonElement data = json.RootElement.GetProperty("data");
        if (data.GetProperty("resultType").GetString() != "vector") throw new InvalidOperationException($"query {promql}: not a vector: {body}");
        var series = new List<(IReadOnlyDictionary<string, string>, double)>();
        foreach (JsonElement item in data.GetProperty("result").EnumerateArray())
        {
            var labels = item.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            double value = double.Parse(item.GetProperty("value")[1].GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);
            series.Add((labels, value));
        }
        return series;
    }

    /// <summary>The single value of a query that sums to one series; null while it has no data.</summary>
    public async Task<double?> ScalarAsync(string promql)
    {
        var result = await QueryAsync(promql);
        return result.Count == 0 ? null : result.Count == 1 ? result[0].Value : throw new InvalidOperationException($"{promql}: {result.Count} series");
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            System.Diagnostics.Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])?.WaitForExit();
            try
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }
}
