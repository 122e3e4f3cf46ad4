using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Sink;

/// <summary><c>fastload sink</c> as a user runs it: a real process on a loopback port.</summary>
public class SinkCommandTests
{
    [Fact]
    public async Task Port_in_use_is_a_one_line_error_naming_the_port_with_non_zero_exit()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        int port = ((IPEndPoint)holder.LocalEndpoint).Port;
        ProcessResult result = await ProcessRunner.RunFastloadAsync("", "sink", "--port", port.ToString(), "--quiet");
        Assert.NotEqual(0, result.ExitCode);
        string[] lines = result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains($"port {port}", lines[0]);
        Assert.Contains("in use", lines[0]);
        Assert.Contains("--port", lines[0]);
        Assert.DoesNotContain("   at ", result.StdErr);
        Assert.DoesNotContain("listening", result.StdOut);
    }

    [Theory]
    [InlineData("--faults", "503:5", "fastload sink: --faults: rate '5' in '503:5' needs a % sign, e.g. 2% or 0.5% (see fastload sink --help)")]
    [InlineData("--faults", "teapot:1%", "fastload sink: --faults: unknown fault 'teapot' in 'teapot:1%'; known: 429, 500, 503, reset-before, reset-after, cut, slow, malformed, missing-ids, extra-ids, tx-error (see fastload sink --help)")]
    [InlineData("--upstream", "ftp://127.0.0.1:1", "fastload sink: --upstream 'ftp://127.0.0.1:1' is not an http:// URL of a node, e.g. --upstream http://127.0.0.1:8545")]
    public async Task Bad_faults_or_upstream_is_one_line_and_exit_2(string option, string value, string expected)
    {
        ProcessResult result = await ProcessRunner.RunFastloadAsync("", "sink", "--port", "0", "--quiet", option, value);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(expected, result.StdErr.TrimEnd('\n'));
        Assert.Equal("", result.StdOut);
    }

    [Fact]
    public async Task Sink_prints_its_url_answers_reports_each_second_and_prints_totals_on_sigterm()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { TestPaths.FastloadDll, "sink", "--port", "0", "--chain-id", "5" }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            string first = (await process.StandardOutput.ReadLineAsync(timeout.Token))!;
            Assert.StartsWith("sink listening on http://127.0.0.1:", first);
            var url = new Uri(first["sink listening on ".Length..]);
            Assert.NotEqual(0, url.Port);

            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
            (string raw, string hash) = SinkTestTxs.SignHex(0);
            string body = $$"""[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{{SinkTestTxs.SendRaw(2, raw)}},{{SinkTestTxs.SendRaw(3, "0x02c0")}}]""";
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            JsonElement answer = JsonDocument.Parse(await (await http.PostAsync(url, content, timeout.Token)).Content.ReadAsStringAsync(timeout.Token)).RootElement;
            Assert.Equal("0x5", answer[0].GetProperty("result").GetString());
            Assert.Equal(hash, answer[1].GetProperty("result").GetString());
            Assert.Equal(-32000, answer[2].GetProperty("error").GetProperty("code").GetInt32());

            // A line a second; the first may come before the request was answered.
            string perSecond;
            do
            {
                perSecond = (await process.StandardOutput.ReadLineAsync(timeout.Token))!;
                Assert.Matches(@"^sink: [\d,]+ tx/s accepted, [\d,]+ rejected/s, [\d,]+ req/s; total \d+ accepted, \d+ rejected$", perSecond);
            }
            while (!perSecond.EndsWith("total 1 accepted, 1 rejected", StringComparison.Ordinal));

            using (Process kill = Process.Start("kill", ["-TERM", process.Id.ToString()]))
            {
                await kill.WaitForExitAsync(timeout.Token);
            }
            await process.WaitForExitAsync(timeout.Token);
            string rest = await process.StandardOutput.ReadToEndAsync(timeout.Token);
            Assert.Equal(0, process.ExitCode);
            Assert.Contains("sink stopped: 1 txs accepted, 1 rejected, 1 requests on 1 connections", rest);
            Assert.Equal("", await stderr);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }
}
