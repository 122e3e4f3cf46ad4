using System.Net;
using System.Text.Json;
using FastLoad.Engine.Crypto;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rpc;

namespace FastLoad.Tests.Rpc;

/// <summary>
/// <see cref="RpcRetryPolicy"/> (pure: delays recorded, never slept) and <see cref="RpcClient"/>'s retries of set-up
/// calls against a scripted server: what is retried, what is not, and the one-line error when the tries run out.
/// </summary>
public class RpcRetryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>A policy that records each wait instead of sleeping; jitter fixed at its low end.</summary>
    private sealed class Recorder
    {
        public readonly List<TimeSpan> Delays = [];
        public readonly List<RpcRetry> Retries = [];

        public RpcRetryPolicy Policy(double jitter = 0) => new()
        {
            Jitter = () => jitter,
            Delay = (delay, _) =>
            {
                lock (Delays) Delays.Add(delay);
                return Task.CompletedTask;
            },
            OnRetry = retry =>
            {
                lock (Retries) Retries.Add(retry);
            },
        };
    }

    [Fact]
    public void Backoff_doubles_from_the_base_with_equal_jitter_and_stops_after_six_tries()
    {
        var low = new RpcRetryPolicy { Jitter = () => 0 };
        var high = new RpcRetryPolicy { Jitter = () => 1 };
        Assert.Equal([125, 250, 500, 1000, 2000], Enumerable.Range(1, 5).Select(n => low.NextDelay(n, null, TimeSpan.Zero)!.Value.TotalMilliseconds));
        Assert.Equal([250, 500, 1000, 2000, 4000], Enumerable.Range(1, 5).Select(n => high.NextDelay(n, null, TimeSpan.Zero)!.Value.TotalMilliseconds));
        Assert.Null(high.NextDelay(6, null, TimeSpan.Zero));   // 6 tries in all
        var capped = new RpcRetryPolicy { Jitter = () => 1, MaxAttempts = 20 };
        Assert.Equal(TimeSpan.FromSeconds(4), capped.NextDelay(10, null, TimeSpan.Zero));   // MaxDelay
    }

    [Fact]
    public void Retry_after_is_honoured_up_to_its_cap_and_the_total_wait_is_bounded()
    {
        var policy = new RpcRetryPolicy { Jitter = () => 0 };
        Assert.Equal(TimeSpan.FromSeconds(3), policy.NextDelay(1, TimeSpan.FromSeconds(3), TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromSeconds(5), policy.NextDelay(1, TimeSpan.FromSeconds(120), TimeSpan.Zero));   // capped
        Assert.Equal(TimeSpan.FromMilliseconds(500), policy.NextDelay(3, TimeSpan.Zero, TimeSpan.Zero));          // backoff wins
        Assert.Equal(TimeSpan.FromSeconds(5), policy.NextDelay(3, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)));
        Assert.Null(policy.NextDelay(3, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10.5)));                     // past 15 s of waiting
        Assert.Null(RpcRetryPolicy.None.NextDelay(1, null, TimeSpan.Zero));
    }

    [Theory]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    [InlineData(200, false)]
    [InlineData(400, false)]
    [InlineData(404, false)]
    [InlineData(405, false)]
    public void Only_429_and_5xx_are_transient_statuses(int status, bool transient) => Assert.Equal(transient, RpcRetryPolicy.IsTransientStatus(status));

    [Fact]
    public async Task A_503_then_a_429_with_retry_after_are_retried_and_the_call_succeeds()
    {
        var recorder = new Recorder();
        await using var server = new ScriptedHttpServer();
        await using RpcClient client = await RpcClient.ConnectAsync(server.Endpoint, Timeout, retry: recorder.Policy());
        await using ScriptedConnection peer = await server.AcceptAsync();

        Task<ulong> call = client.GetChainIdAsync();
        await peer.ReadRequestAsync();
        await peer.WriteAsync(ScriptedHttpServer.Response("busy", 503, "Service Unavailable"));
        await peer.ReadRequestAsync();
        await peer.WriteAsync(ScriptedHttpServer.Response("slow down", 429, "Too Many Requests", "Retry-After: 2\r\n"));
        ScriptedConnection.Request third = await peer.ReadRequestAsync();
        Assert.Contains("\"method\":\"eth_chainId\"", third.Body);
        await peer.WriteAsync(ScriptedHttpServer.Response("""{"jsonrpc":"2.0","id":1,"result":"0x7a69"}"""));

        Assert.Equal(31337ul, await call.WaitAsync(Timeout));
        Assert.Equal([TimeSpan.FromMilliseconds(125), TimeSpan.FromSeconds(2)], recorder.Delays);
        Assert.Equal(2, client.Retries);
        Assert.Equal($"eth_chainId: {server.Endpoint.Url} answered HTTP 503; try 2 of 6 in 0.13 s", recorder.Retries[0].ToString());
        Assert.Equal($"eth_chainId: {server.Endpoint.Url} answered HTTP 429; try 3 of 6 in 2.0 s", recorder.Retries[1].ToString());
    }

    [Fact]
    public async Task A_json_rpc_error_is_an_answer_and_is_not_retried()
    {
        var recorder = new Recorder();
        await using var server = new ScriptedHttpServer();
        await using RpcClient client = await RpcClient.ConnectAsync(server.Endpoint, Timeout, retry: recorder.Policy());
        await using ScriptedConnection peer = await server.AcceptAsync();

        Task<ulong> call = client.GetTransactionCountAsync(Address.Parse("0x000000000000000000000000000000000000dEaD"));
        await peer.ReadRequestAsync();
        await peer.WriteAsync(ScriptedHttpServer.Response("""{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"invalid params"}}"""));
        RpcException e = await Assert.ThrowsAsync<RpcException>(() => call.WaitAsync(Timeout));
        Assert.Equal("invalid params", e.RpcMessage);
        Assert.Empty(recorder.Delays);
        Assert.Equal(0, client.Retries);

        // The next request on the connection is the next call, not a resend.
        Task<ulong> next = client.GetBlockNumberAsync();
        Assert.Contains("eth_blockNumber", (await peer.ReadRequestAsync()).Body);
        await peer.WriteAsync(ScriptedHttpServer.Response("""{"jsonrpc":"2.0","id":2,"result":"0x5"}"""));
        Assert.Equal(5ul, await next.WaitAsync(Timeout));
    }

    [Fact]
    public async Task When_the_tries_run_out_the_last_failure_is_the_one_line_error()
    {
        var recorder = new Recorder();
        await using var server = new ScriptedHttpServer();
        await using RpcClient client = await RpcClient.ConnectAsync(server.Endpoint, Timeout, retry: recorder.Policy());
        await using ScriptedConnection peer = await server.AcceptAsync();

        Task<ulong> call = client.GetBlockNumberAsync();
        for (int i = 0; i < 6; i++)
        {
            await peer.ReadRequestAsync();
            await peer.WriteAsync(ScriptedHttpServer.Response("upstream busy", 503, "Service Unavailable"));
        }
        RpcTransportException e = await Assert.ThrowsAsync<RpcTransportException>(() => call.WaitAsync(Timeout));
        Assert.Equal($"eth_blockNumber: {server.Endpoint.Url} answered HTTP 503 with 'upstream busy'", e.Message);
        Assert.Equal(5, recorder.Delays.Count);
        Assert.Equal(5, client.Retries);
    }

    [Fact]
    public async Task A_node_silent_for_the_whole_timeout_is_one_line_at_once_not_retried()
    {
        var recorder = new Recorder();
        await using var server = new ScriptedHttpServer();
        await using RpcClient client = await RpcClient.ConnectAsync(server.Endpoint, TimeSpan.FromMilliseconds(300), retry: recorder.Policy());
        await using ScriptedConnection peer = await server.AcceptAsync();

        Task<ulong> call = client.GetBlockNumberAsync();
        await peer.ReadRequestAsync(); // read, never answered
        RpcTransportException e = await Assert.ThrowsAsync<RpcTransportException>(() => call.WaitAsync(Timeout));
        Assert.StartsWith($"eth_blockNumber: {server.Endpoint.Url}: no response within 0.3 s", e.Message);
        Assert.Empty(recorder.Delays); // before: 5 more tries of the whole timeout each
        Assert.Equal(0, client.Retries);
    }

    [Fact]
    public async Task A_reset_connection_is_retried_on_a_new_one()
    {
        var recorder = new Recorder();
        await using var server = new ScriptedHttpServer();
        await using RpcClient client = await RpcClient.ConnectAsync(server.Endpoint, Timeout, retry: recorder.Policy());
        ScriptedConnection first = await server.AcceptAsync();

        Task<ulong> call = client.GetBlockNumberAsync();
        await first.ReadRequestAsync();
        first.Reset();
        // The free try on a fresh connection (the node may have closed an idle one) …
        await using ScriptedConnection second = await server.AcceptAsync();
        await second.ReadRequestAsync();
        second.Reset();
        // … then backoff.
        await using ScriptedConnection third = await server.AcceptAsync();
        await third.ReadRequestAsync();
        await third.WriteAsync(ScriptedHttpServer.Response("""{"jsonrpc":"2.0","id":1,"result":"0x9"}"""));
        Assert.Equal(9ul, await call.WaitAsync(Timeout));
        Assert.Single(recorder.Delays);
        await first.DisposeAsync();
    }

    [Fact]
    public async Task A_reset_while_a_large_request_is_still_being_written_is_retried_not_thrown()
    {
        // The reset fails the pending flush; disposing that connection used to throw IOException
        // ("Unable to write data to the transport connection") out of the reconnect instead of retrying.
        var recorder = new Recorder();
        await using var server = new ScriptedHttpServer();
        await using RpcClient client = await RpcClient.ConnectAsync(server.Endpoint, Timeout, retry: recorder.Policy());
        ScriptedConnection first = await server.AcceptAsync();
        string big = new('a', 8 * 1024 * 1024);   // more than the socket buffers take: the flush waits on the reader

        Task<JsonElement> call = client.CallAsync("web3_sha3", [big], CancellationToken.None);
        await first.WaitForBytesAsync(64 * 1024);
        first.Reset();
        Task<ScriptedConnection> accept = server.AcceptAsync();
        if (await Task.WhenAny(call, accept) == call) await call;   // a call that ended instead of retrying shows its exception
        await using ScriptedConnection second = await accept;
        ScriptedConnection.Request resent = await second.ReadRequestAsync();
        Assert.Contains("\"method\":\"web3_sha3\"", resent.Body);
        await second.WriteAsync(ScriptedHttpServer.Response("""{"jsonrpc":"2.0","id":1,"result":"0x01"}"""));
        Assert.Equal("0x01", (await call.WaitAsync(Timeout)).GetString());
        await first.DisposeAsync();
    }

    [Fact]
    public async Task A_resent_raw_tx_that_the_node_already_knows_is_accepted_with_its_hash()
    {
        var recorder = new Recorder();
        await using var server = new ScriptedHttpServer();
        await using RpcClient client = await RpcClient.ConnectAsync(server.Endpoint, Timeout, retry: recorder.Policy());
        ScriptedConnection first = await server.AcceptAsync();
        byte[] raw = [0x02, 0xc1, 0x80];
        byte[] hash = new byte[32];
        Keccak256.Hash(raw, hash);

        Task<Hash256> send = client.SendRawTransactionAsync(raw);
        await first.ReadRequestAsync();
        first.Reset();   // the node got it, the answer was lost
        await using ScriptedConnection second = await server.AcceptAsync();
        ScriptedConnection.Request resent = await second.ReadRequestAsync();
        Assert.Contains("\"params\":[\"0x02c180\"]", resent.Body);
        await second.WriteAsync(ScriptedHttpServer.Response("""{"jsonrpc":"2.0","id":2,"error":{"code":-32000,"message":"already known"}}"""));

        Assert.Equal(new Hash256(hash), await send.WaitAsync(Timeout));
        await first.DisposeAsync();
    }

    [Fact]
    public async Task Batch_calls_without_an_entry_in_the_reply_are_resent_alone()
    {
        var recorder = new Recorder();
        await using var server = new ScriptedHttpServer();
        await using RpcClient client = await RpcClient.ConnectAsync(server.Endpoint, Timeout, retry: recorder.Policy());
        await using ScriptedConnection peer = await server.AcceptAsync();

        Task<IReadOnlyList<RpcBatchResult>> batch = client.CallBatchAsync([("eth_chainId", []), ("eth_blockNumber", []), ("eth_gasPrice", [])]);
        await peer.ReadRequestAsync();
        await peer.WriteAsync(ScriptedHttpServer.Response("""[{"jsonrpc":"2.0","id":1,"result":"0x1"},{"jsonrpc":"2.0","id":3,"result":"0x3"},{"jsonrpc":"2.0","id":99,"result":"0x0"}]"""));
        ScriptedConnection.Request resend = await peer.ReadRequestAsync();
        Assert.Equal("""[{"jsonrpc":"2.0","id":4,"method":"eth_blockNumber","params":[]}]""", resend.Body);
        await peer.WriteAsync(ScriptedHttpServer.Response("""[{"jsonrpc":"2.0","id":4,"result":"0x2"}]"""));

        IReadOnlyList<RpcBatchResult> results = await batch.WaitAsync(Timeout);
        Assert.Equal(["0x1", "0x2", "0x3"], results.Select(r => r.GetResultOrThrow().GetString()));
        Assert.Single(recorder.Delays);
    }
}
