using DuckDB.NET.Data;
using System.Text;
using System.Text.Json.Nodes;
using FastLoad.Engine.DuckDb;
using FastLoad.Engine.Load;
using FastLoad.Engine.Rpc;
using FastLoad.Tests.Infrastructure;
using Xunit.Abstractions;

namespace FastLoad.Tests.Integration;

/// <summary>
/// Real endpoints: https with a bearer header or basic auth, in front of anvil (Kestrel with a self-signed certificate,
/// see <see cref="TlsFront"/>). Runs must agree with the chain; trust and credential problems are one line, exit 2.
/// </summary>
public class TlsEndpointTests(ITestOutputHelper output)
{
    private const string Token = "t0ken-9f1c2b7e5d";
    private const string Bearer = "Bearer " + Token;

    private static async Task AssertChainAgreesAsync(AnvilNode node, LoadRun run, TxCollector results)
    {
        foreach (var wallet in run.Wallets!.All)
        {
            string nonce = (await node.CallAsync("eth_getTransactionCount", wallet.Address.ToString(), "latest"))!.GetValue<string>();
            Assert.Equal(wallet.Accepted, Convert.ToInt64(nonce, 16));
        }
        foreach (var (tx, outcome) in results.Results.Where(r => r.Outcome == TxOutcome.Accepted))
        {
            JsonNode? receipt = await node.CallAsync("eth_getTransactionReceipt", tx.TxHash.ToString());
            Assert.True(receipt is not null, $"accepted tx {tx.TxHash} has no receipt");
            Assert.Equal("0x1", receipt!["status"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Https_run_with_a_bearer_header_and_ca_cert_matches_the_chain_with_heads_over_wss()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        await using TlsFront front = await TlsFront.StartAsync(node.Url, Bearer);
        var results = new TxCollector();
        var run = new LoadRun(new RunOptions
        {
            Rpc = [front.Url.ToString()], Rate = 100, Duration = TimeSpan.FromSeconds(5), Wallets = 20,
            FunderKey = AnvilNode.DevKey, Seed = "tls-bearer",
            Headers = [new NodeHeader(null, new HttpHeader("Authorization", Bearer))],
            Tls = TlsOptions.WithCaFile(front.CertificateFile),
        }) { Results = results };
        RunSummary summary = await run.RunAsync(CancellationToken.None);
        await node.WaitForEmptyPoolAsync(attempts: 50);
        output.WriteLine(summary.Format());

        Assert.Equal(0, summary.Errors);
        Assert.InRange(summary.Sent, 450, 520);
        Assert.Equal(summary.Sent, summary.Accepted);
        Assert.Equal(summary.Accepted, summary.Included);
        Assert.Equal("websocket", summary.HeadsVia); // newHeads came over wss:// through the front
        Assert.True(front.WebSockets >= 1);
        Assert.Equal(0, front.Unauthorized);
        Assert.True(front.Posts > 0);
        await AssertChainAgreesAsync(node, run, results);
    }

    [Fact]
    public async Task A_wss_heads_socket_with_an_untrusted_certificate_falls_back_to_polling_and_says_why()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        await using TlsFront front = await TlsFront.StartAsync(node.Url, Bearer);
        await using TlsFront other = await TlsFront.StartAsync(node.Url, Bearer); // its own self-signed certificate, not trusted
        string heads = new UriBuilder(other.Url) { Scheme = "wss" }.Uri.ToString();
        var run = new LoadRun(new RunOptions
        {
            Rpc = [front.Url.ToString()], Rate = 40, Duration = TimeSpan.FromSeconds(2), Wallets = 8,
            FunderKey = AnvilNode.DevKey, Seed = "tls-wss-untrusted", WebSockets = [heads],
            Headers = [new NodeHeader(null, new HttpHeader("Authorization", Bearer))],
            Tls = TlsOptions.WithCaFile(front.CertificateFile),
        });
        RunSummary summary = await run.RunAsync(CancellationToken.None);
        output.WriteLine(summary.Format());
        Assert.Equal($"polling: {heads} failed: TLS handshake refused (its certificate is not trusted, or is for another host name) — pass --ca-cert FILE with the CA that signed it, or --insecure (test endpoints only)", summary.HeadsVia);
        Assert.Equal(0, other.WebSockets); // refused before any WebSocket was opened
        Assert.Equal(summary.Sent, summary.Accepted);
        Assert.Equal(summary.Accepted, summary.Included); // blocks came by polling
        Assert.Contains("(heads via polling: wss://", summary.Format());
    }

    [Fact]
    public async Task Basic_auth_from_the_url_is_sent_and_the_run_matches_the_chain()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        await using TlsFront front = await TlsFront.StartAsync(node.Url, "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:p@ss word")));
        var results = new TxCollector();
        var run = new LoadRun(new RunOptions
        {
            Rpc = [$"https://alice:p%40ss%20word@127.0.0.1:{front.Url.Port}/"], Rate = 50, Count = 100, Duration = null, Wallets = 10,
            FunderKey = AnvilNode.DevKey, Seed = "tls-basic", Tls = TlsOptions.WithCaFile(front.CertificateFile),
        }) { Results = results };
        RunSummary summary = await run.RunAsync(CancellationToken.None);
        await node.WaitForEmptyPoolAsync(attempts: 50);

        Assert.Equal(100, summary.Sent);
        Assert.Equal(100, summary.Accepted);
        Assert.Equal(100, summary.Included);
        Assert.Equal(0, front.Unauthorized);
        Assert.All(summary.Nodes, n => Assert.Equal($"https://127.0.0.1:{front.Url.Port}/", n.Url)); // no credentials in what is shown
        await AssertChainAgreesAsync(node, run, results);
    }

    [Fact]
    public async Task The_cli_reads_the_token_from_the_environment_and_stores_neither_it_nor_url_credentials()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        await using TlsFront front = await TlsFront.StartAsync(node.Url, Bearer);
        string file = TestPaths.NewFile(".duckdb");
        ProcessResult result = await ProcessRunner.RunFastloadAsync("",
            new Dictionary<string, string> { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey, ["FRONT_TOKEN"] = Token },
            "run", "--rpc", front.Url.ToString(), "--ca-cert", front.CertificateFile, "--header", "Authorization: Bearer $FRONT_TOKEN",
            "--rate", "50", "--count", "100", "--wallets", "10", "--seed", "tls-cli", "--out", file, "--no-live");
        output.WriteLine(result.StdOut + result.StdErr);

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("sent         100   accepted 100   errors 0", result.StdOut);
        Assert.Contains("included     100 in", result.StdOut);
        Assert.DoesNotContain(Token, result.StdOut + result.StdErr);
        using DuckDBConnection db = DuckDbSql.Open(file);
        Assert.Equal(front.Url.ToString(), db.Table("SELECT url FROM nodes").GetString(0, 0));
        Assert.Equal(100L, db.Table("SELECT count(*) FROM txs WHERE outcome = 'accepted' AND block IS NOT NULL").GetInt64(0, 0));
        string runs = db.Table("SELECT to_json(r)::VARCHAR FROM runs r").GetString(0, 0)!;
        Assert.Contains("--header \\\"Authorization: <redacted>\\\"", runs);
        Assert.DoesNotContain(Token, runs);
    }

    [Fact]
    public async Task Insecure_skips_the_check_with_a_warning()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        await using TlsFront front = await TlsFront.StartAsync(node.Url, Bearer);
        ProcessResult result = await ProcessRunner.RunFastloadAsync("",
            new Dictionary<string, string> { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey, ["FRONT_BEARER"] = Bearer },
            "run", "--rpc", front.Url.ToString(), "--insecure", "--header", "Authorization: env:FRONT_BEARER",
            "--rate", "50", "--count", "50", "--wallets", "5", "--no-results", "--no-live", "--ws", "none");
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("sent         50   accepted 50   errors 0", result.StdOut);
        Assert.Equal("fastload run: warning: --insecure: https:// and wss:// certificates are not checked, anyone on the path can read and change the traffic", result.StdErr.Trim());
    }

    [Fact]
    public async Task An_untrusted_certificate_is_one_line_naming_ca_cert_and_insecure_exit_2_nothing_sent()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        await using TlsFront front = await TlsFront.StartAsync(node.Url, Bearer);
        ProcessResult result = await ProcessRunner.RunFastloadAsync("",
            new Dictionary<string, string> { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey, ["FRONT_TOKEN"] = Token },
            "run", "--rpc", front.Url.ToString(), "--header", "Authorization: Bearer ${FRONT_TOKEN}", "--count", "10", "--no-results");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"fastload run: cannot connect to {front.Url}: TLS handshake refused: its certificate is not trusted (it is not signed by a trusted CA) — pass --ca-cert FILE with the CA that signed it (PEM), or --insecure to skip the check (test endpoints only)",
            result.StdErr.Trim());
        Assert.Equal(0, front.Posts);
        Assert.Equal(0, front.Unauthorized);
    }

    [Fact]
    public async Task A_certificate_for_another_host_is_refused_even_with_ca_cert()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        await using TlsFront front = await TlsFront.StartAsync(node.Url, Bearer, certificateName: "rpc.other.example");
        var endpoint = RpcEndpoint.Parse($"https://127.0.0.1:{front.Url.Port}/", new RpcConnectOptions { Tls = TlsOptions.WithCaFile(front.CertificateFile) });
        RpcTransportException e = await Assert.ThrowsAsync<RpcTransportException>(() => PipelinedHttpConnection.ConnectAsync(endpoint, 1, TimeSpan.FromSeconds(10), CancellationToken.None));
        Assert.Equal($"cannot connect to https://127.0.0.1:{front.Url.Port}/: TLS handshake refused: its certificate is for another host name — pass --ca-cert FILE with the CA that signed it (PEM), or --insecure to skip the check (test endpoints only)", e.Message);
        // --insecure takes it anyway.
        var insecure = RpcEndpoint.Parse($"https://127.0.0.1:{front.Url.Port}/", new RpcConnectOptions { Tls = new TlsOptions { Insecure = true } });
        await using PipelinedHttpConnection connection = await PipelinedHttpConnection.ConnectAsync(insecure, 1, TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.False(connection.IsFaulted);
    }

    [Fact]
    public async Task A_missing_header_is_a_clear_401_exit_2_not_a_hang()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        await using TlsFront front = await TlsFront.StartAsync(node.Url, Bearer);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        ProcessResult result = await ProcessRunner.RunFastloadAsync("",
            new Dictionary<string, string> { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey },
            "run", "--rpc", front.Url.ToString(), "--ca-cert", front.CertificateFile, "--count", "10", "--no-results");
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {result.StdErr}");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"fastload run: eth_chainId: {front.Url} answered HTTP 401 (unauthorized): check the credentials — --header 'Authorization: Bearer $TOKEN', or user:password@ in the URL",
            result.StdErr.Trim());
        Assert.Equal(1, front.Unauthorized); // not retried: a 401 does not go away by asking again
        Assert.Equal(0, front.Posts);
    }
}
