using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FastLoad.Tests.Infrastructure;

/// <summary>
/// <c>fastload serve --port 0</c> as a process (a real Kestrel on a free loopback port), its results in a folder of its
/// own, with a known token (FASTLOAD_API_TOKEN) and the anvil dev key as funder; an HTTP client for its API.
/// </summary>
public sealed partial class ServeProcess : IDisposable
{
    public const string Token = "test-token-0123456789abcdef";

    private ServeProcess(RunningFastload process, Uri url, string results)
    {
        Fastload = process;
        Url = url;
        ResultsFolder = results;
        Http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
    }

    public RunningFastload Fastload { get; }

    /// <summary>The dashboard's URL as printed, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Url { get; }

    public string ResultsFolder { get; }

    public HttpClient Http { get; }

    public static async Task<ServeProcess> StartAsync(params string[] extraArgs)
    {
        string results = Directory.CreateDirectory(Path.Combine(TestPaths.Scratch, "serve-" + Guid.NewGuid().ToString("N"))).FullName;
        var environment = new Dictionary<string, string> { ["FASTLOAD_API_TOKEN"] = Token, ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey };
        RunningFastload process = RunningFastload.Start(environment, ["serve", "--port", "0", "--results", results, .. extraArgs]);
        try
        {
            await process.WaitForLineAsync("fastload serve: dashboard http", TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            process.Dispose();
            throw new InvalidOperationException($"fastload serve did not start: {process.Output}");
        }
        Uri url = new(DashboardLine().Match(process.Output).Groups[1].Value);
        return new ServeProcess(process, url, results);
    }

    /// <summary>A request with (or without, when <paramref name="token"/> is null) the bearer token.</summary>
    public async Task<(int Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, object? body = null, string? token = Token)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body);
        using HttpResponseMessage response = await Http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>Starts a run sending to <paramref name="node"/> with run's options (camelCase); asserts 201 and returns the run's id.</summary>
    public async Task<string> StartRunAsync(Uri node, object options)
    {
        var merged = JsonSerializer.SerializeToNode(options)!.AsObject();
        merged["rpc"] = node.ToString();
        (int status, JsonNode? body) = await SendAsync(HttpMethod.Post, "api/runs", new { options = merged });
        Assert.True(status == 201, $"start: {status} {body?.ToJsonString()}\n{Fastload.Output}");
        return body!["run"]!["id"]!.GetValue<string>();
    }

    /// <summary>Polls GET /api/runs/{id} until the run has ended; returns its view.</summary>
    public async Task<JsonNode> WaitForEndAsync(string id, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            (int status, JsonNode? view) = await SendAsync(HttpMethod.Get, $"api/runs/{id}", token: null);
            Assert.Equal(200, status);
            if (view!["run"]!["status"]!.GetValue<string>() != "running") return view;
            Assert.True(DateTime.UtcNow < deadline, $"run {id} still running after {timeout}: {view.ToJsonString()}\n{Fastload.Output}");
            await Task.Delay(200);
        }
    }

    public void Dispose()
    {
        Http.Dispose();
        Fastload.Dispose();
    }

    [GeneratedRegex(@"fastload serve: dashboard (http://\S+/)")]
    private static partial Regex DashboardLine();
}
