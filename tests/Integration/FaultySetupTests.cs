using System.Text.Json.Nodes;
using FastLoad.Engine.Load;
using FastLoad.Engine.Sink;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Integration;

/// <summary>
/// Set-up through <c>fastload sink --upstream anvil --faults 503:30%</c>: chain id, gas price, nonces, balances, the
/// funding batch and its receipt all go through a proxy that answers 503 to 30 % of requests. Before set-up calls were
/// retried, the first 503 ended the run; now they are retried and the run funds its wallets and sends.
/// </summary>
public class FaultySetupTests
{
    [Fact]
    public async Task A_run_through_a_proxy_that_answers_503_to_30_percent_of_requests_completes_set_up()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        await using SinkServer proxy = SinkServer.Start(new SinkOptions
        {
            Port = 0, Upstream = node.Url, Faults = SinkFaultPlan.Parse("503:30%", seed: 1),
        });
        var log = new RecordingLogger();
        var run = new LoadRun(new RunOptions
        {
            Rpc = [proxy.Url.ToString()], Rate = 20, Duration = TimeSpan.FromSeconds(2), Wallets = 4, Signers = 1,
            FunderKey = AnvilNode.DevKey, Seed = "faulty-setup", WebSockets = null, InclusionGrace = TimeSpan.FromSeconds(3), Logger = log,
        });

        RunSummary summary = await run.RunAsync(CancellationToken.None);

        Assert.Contains("Funding confirmed.", log.Text);
        Assert.True(summary.Sent > 0, "no tx was sent");
        Assert.True(proxy.Faults!["503"] > 0, "the proxy injected no 503");
        // The wallets really were funded on the node behind the proxy.
        foreach (var wallet in run.Wallets!.All)
        {
            JsonNode? balance = await node.CallAsync("eth_getBalance", wallet.Address.ToString(), "latest");
            Assert.NotEqual("0x0", balance!.GetValue<string>());
        }
    }
}
