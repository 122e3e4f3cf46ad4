using System.Globalization;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using FastLoad.Engine.DuckDb;
using FastLoad.Tests.Infrastructure;
using FastLoad.Tests.Integration;

namespace FastLoad.Tests.Serve;

/// <summary>
/// Issue 12 part 2: <c>fastload serve</c>'s API against a real anvil: the token guards start and stop, it listens on
/// loopback unless told otherwise, a stopped run keeps its results as 'interrupted', the event stream gives a figure a
/// second. Runs load, so it runs alone.
/// </summary>
[Collection(nameof(SaturatingCollection))]
public class ServeApiTests
{
    [Fact]
    public async Task Start_and_stop_without_the_token_are_401_and_with_it_start_stop_and_keep_the_results_as_interrupted()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        using ServeProcess serve = await ServeProcess.StartAsync();
        object body = new { options = new { rpc = node.Url.ToString(), rate = 40, duration = "60s", wallets = 10 } };

        // No token, a wrong one, another scheme: 401 with the Bearer challenge, and nothing started.
        foreach (string? token in new[] { null, "wrong-token-0123456789abcdef", ServeProcess.Token + "x" })
        {
            (int status, JsonNode? error) = await serve.SendAsync(HttpMethod.Post, "api/runs", body, token);
            Assert.Equal(401, status);
            Assert.Contains("Authorization: Bearer", error!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        using (var basic = new HttpRequestMessage(HttpMethod.Post, "api/runs") { Content = System.Net.Http.Json.JsonContent.Create(body) })
        {
            basic.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", ServeProcess.Token);
            using HttpResponseMessage response = await serve.Http.SendAsync(basic);
            Assert.Equal(401, (int)response.StatusCode);
            Assert.Equal("Bearer realm=\"fastload\"", response.Headers.WwwAuthenticate.ToString());
        }
        (int listed, JsonNode? runs) = await serve.SendAsync(HttpMethod.Get, "api/runs", token: null); // reads need no token
        Assert.Equal(200, listed);
        Assert.Empty(runs!.AsArray());

        // Bad input with the token: 400, one line naming the problem.
        (int bad, JsonNode? badBody) = await serve.SendAsync(HttpMethod.Post, "api/runs", new { options = new { rpc = node.Url.ToString(), rate = -5 } });
        Assert.Equal(400, bad);
        Assert.Equal("fastload run: --rate must be positive", badBody!["error"]!.GetValue<string>());
        (bad, badBody) = await serve.SendAsync(HttpMethod.Post, "api/runs", new { args = new[] { "--out", "/tmp/x.duckdb" } });
        Assert.Equal(400, bad);
        Assert.StartsWith("--out: the service names each run's results file itself", badBody!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        (bad, badBody) = await serve.SendAsync(HttpMethod.Post, "api/runs", new { args = new[] { "--no-such-flag" } });
        Assert.Equal(400, bad);
        Assert.Contains("--no-such-flag", badBody!["error"]!.GetValue<string>(), StringComparison.Ordinal);

        // With the token: 201, the run sends; a second start while it lives is 409.
        (int started, JsonNode? view) = await serve.SendAsync(HttpMethod.Post, "api/runs", body);
        Assert.True(started == 201, view?.ToJsonString());
        string id = view!["run"]!["id"]!.GetValue<string>();
        Assert.Equal("running", view["run"]!["status"]!.GetValue<string>());
        Assert.Equal(Path.Combine(serve.ResultsFolder, id + ".duckdb"), view["run"]!["resultsFile"]!.GetValue<string>());
        (int again, _) = await serve.SendAsync(HttpMethod.Post, "api/runs", body);
        Assert.Equal(409, again);
        JsonNode sending = await WaitForAsync(serve, id, v => v["latest"]?["stage"]?.GetValue<string>() == "sending" && v["latest"]!["sent"]!.GetValue<long>() > 40);
        Assert.Equal(40, sending["latest"]!["targetRate"]!.GetValue<double>());

        // Stop without the token: 401, and the run goes on.
        (int refused, _) = await serve.SendAsync(HttpMethod.Post, $"api/runs/{id}/stop", token: null);
        Assert.Equal(401, refused);
        (_, JsonNode? still) = await serve.SendAsync(HttpMethod.Get, $"api/runs/{id}", token: null);
        Assert.Equal("running", still!["run"]!["status"]!.GetValue<string>());
        Assert.False(still["stopRequested"]!.GetValue<bool>());

        // Stop with it: 202, then the run ends as Ctrl-C ends one: status interrupted, exit 130, results file kept.
        (int stopping, JsonNode? stopped) = await serve.SendAsync(HttpMethod.Post, $"api/runs/{id}/stop");
        Assert.Equal(202, stopping);
        Assert.True(stopped!["stopRequested"]!.GetValue<bool>());
        JsonNode ended = await serve.WaitForEndAsync(id, TimeSpan.FromSeconds(60));
        Assert.Equal("interrupted", ended["run"]!["status"]!.GetValue<string>());
        Assert.Equal(130, ended["run"]!["exitCode"]!.GetValue<int>());
        (int stopAgain, _) = await serve.SendAsync(HttpMethod.Post, $"api/runs/{id}/stop");
        Assert.Equal(409, stopAgain);

        string file = Path.Combine(serve.ResultsFolder, id + ".duckdb");
        Assert.True(File.Exists(file));
        long fileSent;
        using (DuckDBConnection db = DuckDbSql.Open(file))
        {
            ResultTable run = db.Table("SELECT status, sent, (SELECT count(*) FROM tx_log) FROM runs");
            Assert.Equal("interrupted", run.GetString(0, 0));
            fileSent = run.GetInt64(0, 1);
            Assert.Equal(fileSent, run.GetInt64(0, 2)); // every sent tx has its row
        }
        // The last figures (read after the end) are the results file's totals; so are the summary's.
        Assert.Equal(fileSent, ended["latest"]!["sent"]!.GetValue<long>());
        Assert.True(fileSent > 40, $"sent {fileSent}");
        (int summaryStatus, JsonNode? summary) = await serve.SendAsync(HttpMethod.Get, $"api/runs/{id}/summary", token: null);
        Assert.Equal(200, summaryStatus);
        Assert.Equal("interrupted", summary!["status"]!.GetValue<string>());
        Assert.Equal(fileSent, summary["total"]!["sent"]!.GetValue<long>());
        Assert.Contains($"Run {summary["runId"]!.GetValue<string>()}  interrupted", summary["text"]!.GetValue<string>(), StringComparison.Ordinal);
        using HttpResponseMessage report = await serve.Http.GetAsync($"api/runs/{id}/report");
        Assert.Equal("text/html", report.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<svg", await report.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        (_, JsonNode? list) = await serve.SendAsync(HttpMethod.Get, "api/runs", token: null);
        JsonNode listed1 = Assert.Single(list!.AsArray())!;
        Assert.Equal(id, listed1["id"]!.GetValue<string>());
        Assert.Equal("interrupted", listed1["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Listens_on_127_0_0_1_only_unless_told_otherwise()
    {
        using (ServeProcess serve = await ServeProcess.StartAsync())
        {
            Assert.Equal("127.0.0.1", serve.Url.Host);
            Assert.Equal(["127.0.0.1"], ListeningAddresses(serve.Url.Port));
            Assert.DoesNotContain("warning", serve.Fastload.Output, StringComparison.Ordinal);
        }
        using (ServeProcess everywhere = await ServeProcess.StartAsync("--host", "0.0.0.0"))
        {
            Assert.Equal(["0.0.0.0"], ListeningAddresses(everywhere.Url.Port));
            Assert.Contains("warning: listening on 0.0.0.0, reachable from other hosts", everywhere.Fastload.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Stream_gives_a_figure_a_second_while_the_run_sends_then_its_end()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        using ServeProcess serve = await ServeProcess.StartAsync();
        string id = await serve.StartRunAsync(node.Url, new { rate = 50, duration = "5s", wallets = 10 });

        using var stream = await serve.Http.GetStreamAsync($"api/runs/{id}/stream");
        using var reader = new StreamReader(stream);
        var figures = new List<(int Id, JsonNode Data)>();
        JsonNode? end = null;
        string? eventName = null;
        int eventId = -1;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (end is null && await reader.ReadLineAsync(timeout.Token) is string line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal)) eventId = int.Parse(line[4..], CultureInfo.InvariantCulture);
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) eventName = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                JsonNode data = JsonNode.Parse(line[6..])!;
                if (eventName == "figures") figures.Add((eventId, data));
                else if (eventName == "end") end = data;
            }
        }
        Assert.NotNull(end);
        Assert.Equal("complete", end["status"]!.GetValue<string>());

        // Ids 0, 1, 2, ... without a gap; one sample a second (a busy machine may stretch one tick, never bunch them).
        Assert.Equal(Enumerable.Range(0, figures.Count), figures.Select(f => f.Id));
        int[] seconds = figures.Select(f => f.Data["second"]!.GetValue<int>()).ToArray();
        Assert.All(seconds.Zip(seconds.Skip(1)), p => Assert.InRange(p.Second - p.First, 0, 3));
        Assert.True(seconds.Zip(seconds.Skip(1)).Count(p => p.Second - p.First == 1) >= seconds.Length / 2, string.Join(",", seconds));
        JsonNode[] whileSending = figures.Select(f => f.Data).Where(d => d["stage"]!.GetValue<string>() == "sending").ToArray();
        Assert.True(whileSending.Length >= 3, $"{whileSending.Length} samples while sending of {figures.Count}");
        // The target is known from the run's first rate tick on (the first sample of sending may come before it).
        Assert.All(whileSending.Skip(1), d => Assert.Equal(50, d["targetRate"]!.GetValue<double>()));
        Assert.All(whileSending, d => Assert.True(d["targetRate"] is null || d["targetRate"]!.GetValue<double>() == 50, d.ToJsonString()));
        Assert.Contains(whileSending, d => d["achievedRate"]!.GetValue<double>() > 0 && d["ackP99Ms"] is not null);
        long[] sent = figures.Select(f => f.Data["sent"]!.GetValue<long>()).ToArray();
        Assert.True(sent.Zip(sent.Skip(1)).All(p => p.Second >= p.First), string.Join(",", sent));
        Assert.True(sent.Distinct().Count() >= 3, string.Join(",", sent)); // the figures moved while it sent
        JsonNode last = figures[^1].Data;
        Assert.Equal("finished", last["stage"]!.GetValue<string>());
        JsonNode perNode = Assert.Single(last["nodes"]!.AsArray())!;
        Assert.Equal(node.Url.ToString(), perNode["url"]!.GetValue<string>());

        // The stream's last totals are the results file's.
        (_, JsonNode? summary) = await serve.SendAsync(HttpMethod.Get, $"api/runs/{id}/summary", token: null);
        Assert.Equal(summary!["total"]!["sent"]!.GetValue<long>(), last["sent"]!.GetValue<long>());
        Assert.Equal(summary["total"]!["accepted"]!.GetValue<long>(), last["accepted"]!.GetValue<long>());
        Assert.Equal(summary["total"]!["sent"]!.GetValue<long>(), perNode["sent"]!.GetValue<long>());
    }

    [Fact]
    public async Task Bad_serve_input_is_one_line_and_exit_2()
    {
        ProcessResult shortToken = await ProcessRunner.RunFastloadAsync("", new Dictionary<string, string> { ["FASTLOAD_API_TOKEN"] = "short" }, "serve", "--port", "0");
        Assert.Equal(2, shortToken.ExitCode);
        Assert.Equal("fastload serve: FASTLOAD_API_TOKEN must be at least 16 characters without spaces: e.g. export FASTLOAD_API_TOKEN=$(openssl rand -hex 24), or unset it to have one made", shortToken.StdErr.Trim());

        ProcessResult badHost = await ProcessRunner.RunFastloadAsync("", "serve", "--host", "example.org");
        Assert.Equal(2, badHost.ExitCode);
        Assert.StartsWith("fastload serve: --host 'example.org' is not an IP address", badHost.StdErr.Trim(), StringComparison.Ordinal);

        using ServeProcess taken = await ServeProcess.StartAsync();
        ProcessResult inUse = await ProcessRunner.RunFastloadAsync("", "serve", "--port", taken.Url.Port.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(2, inUse.ExitCode);
        Assert.Equal($"fastload serve: 127.0.0.1:{taken.Url.Port} is already in use: stop whatever listens there or choose another --port", inUse.StdErr.Trim());
    }

    [Fact]
    public void Option_names_become_run_flags()
    {
        Assert.Equal("expect-p99-ms", Runner.Serve.StartArguments.Kebab("expectP99Ms"));
        var request = new Runner.Serve.StartRequest
        {
            Options = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, System.Text.Json.JsonElement>>(
                """{"rate": 100, "txType": "legacy", "max": false, "noLive": true, "phase": ["a=constant@10/5s", "b=constant@20/5s"], "seed": null}""")!,
            Args = ["--wallets", "7"],
        };
        (string[] flags, _) = Runner.Serve.StartArguments.Of(request);
        Assert.Equal(["--rate", "100", "--tx-type", "legacy", "--no-live", "--phase", "a=constant@10/5s", "--phase", "b=constant@20/5s", "--wallets", "7"], flags);
        Assert.Throws<ArgumentException>(() => Runner.Serve.StartArguments.Of(new Runner.Serve.StartRequest { Args = ["-o", "x.duckdb"] }));
        Assert.Throws<ArgumentException>(() => Runner.Serve.StartArguments.Of(new Runner.Serve.StartRequest { Scenario = "a.yaml", ScenarioYaml = "name: x" }));
    }

    [Theory]
    [InlineData("--out:/tmp/x.duckdb", "--out: the service names each run's results file itself")]
    [InlineData("-o/tmp/x.duckdb", "-o: the service names each run's results file itself")]
    [InlineData("-o=/tmp/x.duckdb", "-o: the service names each run's results file itself")]
    [InlineData("--hdr-log", "--hdr-log: a run started through the service writes no file but its results file")]
    [InlineData("--hdr-log:/etc/passwd", "--hdr-log: a run started through the service writes no file but its results file")]
    [InlineData("--log=/tmp/x.jsonl", "--log: a run started through the service writes no file but its results file")]
    public void A_served_run_names_no_file_to_write_in_any_form_of_the_flag(string arg, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => Runner.Serve.StartArguments.Of(new Runner.Serve.StartRequest { Args = [arg, "/tmp/y"] }));
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
    }

    /// <summary>The IPv4 and IPv6 addresses a socket listens on at <paramref name="port"/>, from /proc/net/tcp{,6}.</summary>
    private static string[] ListeningAddresses(int port)
    {
        var found = new List<string>();
        foreach (string table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (string line in File.ReadLines(table).Skip(1))
            {
                string[] cols = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                string[] local = cols[1].Split(':');
                if (cols[3] != "0A" || int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) != port) continue; // 0A = LISTEN
                byte[] raw = Convert.FromHexString(local[0]);
                for (int i = 0; i < raw.Length; i += 4) Array.Reverse(raw, i, 4); // each 32-bit word in host (little-endian) order
                found.Add(new System.Net.IPAddress(raw).ToString());
            }
        }
        return [.. found];
    }

    private static async Task<JsonNode> WaitForAsync(ServeProcess serve, string id, Func<JsonNode, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            (_, JsonNode? view) = await serve.SendAsync(HttpMethod.Get, $"api/runs/{id}", token: null);
            if (condition(view!)) return view!;
            Assert.True(DateTime.UtcNow < deadline, $"condition not met in 90 s: {view!.ToJsonString()}\n{serve.Fastload.Output}");
            await Task.Delay(200);
        }
    }
}
