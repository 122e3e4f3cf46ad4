using FastLoad.Engine.DuckDb;
using FastLoad.Engine.Sink;
using FastLoad.Tests.Infrastructure;
using DuckDB.NET.Data;

namespace FastLoad.Tests.Integration;

/// <summary>
/// Issue 11 item 3: the summary's last line names what limited the run, and <c>runs</c> keeps it with its evidence.
/// Four real runs, one per verdict; they saturate the machine (or judge rates), so they run alone.
/// </summary>
[Collection(nameof(SaturatingCollection))]
public class BottleneckRunTests
{
    private static readonly Dictionary<string, string> Funder = new() { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey };

    /// <summary>The run's verdict and evidence figures as stored; the stdout's last line must be the same verdict.</summary>
    private sealed record Stored(string BoundBy, string Evidence, double SigningWait, double NetworkWait, double RingEmptyPercent, double RingFullPercent,
        double? SignerBusyPercent, long Sent, double SampledSigningMs, double SampledNetworkMs, string File);

    private static async Task<Stored> RunAsync(params string[] args)
    {
        string file = TestPaths.NewFile(".duckdb");
        ProcessResult run = await ProcessRunner.RunFastloadAsync("", Funder, ["run", .. args, "--out", file, "--no-live"]);
        Assert.True(run.ExitCode == 0, run.StdErr + run.StdOut);
        string[] lines = run.StdOut.TrimEnd().Split('\n');
        string last = lines[^1];
        Assert.True(last.StartsWith("bound by: ", StringComparison.Ordinal), run.StdOut);

        using DuckDBConnection db = DuckDbSql.Open(file);
        ResultTable r = db.Table("""
            SELECT bound_by, bound_evidence, wait_signing_ms / (duration_s * 1000), wait_network_ms / (duration_s * 1000),
                   ring_empty_percent, ring_full_percent, signer_busy_percent, sent, schema_version,
                   (SELECT sum(wait_signing_ms) FROM samples), (SELECT sum(wait_network_ms) FROM samples)
            FROM runs
            """);
        Assert.Equal(Engine.Results.ResultsSchema.Version, r.GetInt64(0, 8));
        var stored = new Stored(r.GetString(0, 0)!, r.GetString(0, 1)!, r.GetDouble(0, 2), r.GetDouble(0, 3), r.GetDouble(0, 4), r.GetDouble(0, 5),
            r.IsNull(0, 6) ? null : r.GetDouble(0, 6), r.GetInt64(0, 7), r.GetDouble(0, 9), r.GetDouble(0, 10), file);
        Assert.StartsWith($"bound by: {stored.BoundBy} (", last); // the printed line and the stored verdict agree
        Assert.EndsWith($"({stored.Evidence})", last);
        return stored;
    }

    [Fact]
    public async Task Bottleneck_of_max_into_the_sink_is_signing_or_sending_as_its_evidence_shows()
    {
        // `fastload sink` as users run it, in its own process: an in-process sink would share the test host's CPU and
        // thread pool and answer late, adding network waits no user setup has.
        using var sink = RunningFastload.Start(null, "sink", "--port", "0", "--quiet");
        await sink.WaitForLineAsync("sink listening on ", TimeSpan.FromSeconds(60));
        string url = System.Text.RegularExpressions.Regex.Match(sink.Output, @"sink listening on (\S+)").Groups[1].Value;
        Stored s = await RunAsync("--rpc", url, "--max", "--duration", "4s", "--wallets", "1000");

        // A null node answers at once: the node is never the limit; which of signing and sending is depends on this
        // machine, so the verdict must be the one its own figures support (the rule, README "Bottleneck verdict").
        Assert.True(s.BoundBy is "signing" or "sending", s.ToString());
        if (s.BoundBy == "signing")
        {
            Assert.True(s.SigningWait >= 0.4 && s.SigningWait >= 2 * s.NetworkWait && s.RingEmptyPercent >= 50 && s.SignerBusyPercent >= 80, s.ToString());
        }
        else
        {
            Assert.True(s.SigningWait < 0.1 && s.NetworkWait < 0.1 && s.RingFullPercent >= 50, s.ToString());
        }
    }

    [Fact]
    public async Task Bottleneck_of_one_slow_signer_is_signing()
    {
        await using SinkServer sink = SinkServer.Start(new SinkOptions { Port = 0 });
        // 500 µs of CPU per tx on one thread: at most ~2,000 tx/s, far below what the sender and the sink take.
        Stored s = await RunAsync("--rpc", sink.Url.ToString(), "--max", "--duration", "4s", "--wallets", "100", "--signers", "1", "--test-slow-signing-us", "500");

        Assert.True(s.BoundBy == "signing", s.ToString()); // the evidence when it is not
        Assert.True(s.SigningWait >= 0.7, s.ToString());
        Assert.True(s.RingEmptyPercent >= 80, s.ToString());
        Assert.True(s.SignerBusyPercent >= 90, s.ToString());
        Assert.StartsWith("--max: ", s.Evidence);
        Assert.Contains("signers 1 thread ", s.Evidence);
        Assert.True(s.SampledSigningMs > 1000, s.ToString()); // the samples carry the waits second by second
    }

    [Fact]
    public async Task Bottleneck_of_max_into_anvil_is_the_node()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        Stored s = await RunAsync("--rpc", node.Url.ToString(), "--max", "--duration", "5s", "--wallets", "500");

        Assert.Equal("node", s.BoundBy);
        Assert.True(s.NetworkWait >= 0.5, s.ToString());
        Assert.True(s.NetworkWait >= 2 * s.SigningWait && s.RingEmptyPercent < 50, s.ToString());
        Assert.True(s.SampledNetworkMs > 1000, s.ToString());
    }

    [Fact]
    public async Task Bottleneck_of_a_low_fixed_rate_is_the_rate()
    {
        await using SinkServer sink = SinkServer.Start(new SinkOptions { Port = 0 });
        Stored s = await RunAsync("--rpc", sink.Url.ToString(), "--rate", "200", "--duration", "3s", "--wallets", "50");

        Assert.True(s.BoundBy == "rate", s.ToString());
        Assert.InRange(s.Sent, 594, 600);
        Assert.StartsWith("sent 100 % of the 200 tx/s target", s.Evidence);
        Assert.True(s.SigningWait < 0.4 && s.NetworkWait < 0.5, s.ToString()); // headroom: no part held the senders back most of the time
        Assert.True(s.RingFullPercent >= 90, s.ToString());                      // the signers were far ahead

        // The HTML report shows the same verdict and evidence, and the settings it was run with.
        string html = TestPaths.NewFile(".html");
        ProcessResult report = await ProcessRunner.RunFastloadAsync("", "report", s.File, "--html", html);
        Assert.Equal(0, report.ExitCode);
        string page = File.ReadAllText(html);
        Assert.Contains($"<b>bound by: rate</b> ({System.Net.WebUtility.HtmlEncode(s.Evidence)})", page);
        Assert.Contains("""<table id="table-settings">""", page);
        Assert.Contains("--rate 200 --duration 3s --wallets 50", page);
        Assert.Contains("""<svg id="chart-latency-cdf" """, page);
    }
}
