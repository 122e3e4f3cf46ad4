using System.Net;
using System.Net.Sockets;
using FastLoad.Engine.Rpc;

namespace FastLoad.Tests.Rpc;

/// <summary><see cref="RpcClient"/>'s error paths against a scripted server.</summary>
public class RpcClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_stopped_node_is_reported_as_connection_refused_in_one_line()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        RpcTransportException e = await Assert.ThrowsAsync<RpcTransportException>(() => RpcClient.ConnectAsync($"http://127.0.0.1:{port}"));
        Assert.Equal($"cannot connect to http://127.0.0.1:{port}/: connection refused — is the node running?", e.Message);
    }

    [Fact]
    public async Task A_bad_url_is_an_argument_exception_naming_the_fix()
    {
        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => RpcClient.ConnectAsync("ws://example.org"));
        Assert.Equal("ws:// is not supported for sending: FastLoad speaks HTTP/1.1 JSON-RPC, use the node's http:// or https:// endpoint (give ws:// to --ws for heads)", e.Message);
    }

    [Fact]
    public async Task Json_rpc_errors_throw_RpcException_with_code_message_data_and_outcome()
    {
        await using var server = new ScriptedHttpServer();
        await using RpcClient client = await RpcClient.ConnectAsync(server.Endpoint, Timeout);
        await using ScriptedConnection peer = await server.AcceptAsync();

        Task<ulong> call = client.GetChainIdAsync();
        ScriptedConnection.Request request = await peer.ReadRequestAsync();
        Assert.Equal("""{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}""", request.Body);
        await peer.WriteAsync(ScriptedHttpServer.Response("""{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"nonce too low","data":"0x01"}}"""));
        RpcException e = await Assert.ThrowsAsync<RpcException>(() => call.WaitAsync(Timeout));
        Assert.Equal(-32000, e.Code);
        Assert.Equal("nonce too low", e.RpcMessage);
        Assert.Equal("\"0x01\"", e.RpcData);
        Assert.Equal(TxOutcome.NonceTooLow, e.Outcome);
    }

    [Fact]
    public async Task An_http_error_without_json_rpc_is_a_transport_exception_with_the_status()
    {
        await using var server = new ScriptedHttpServer();
        await using RpcClient client = await RpcClient.ConnectAsync(server.Endpoint, Timeout, retry: RpcRetryPolicy.None);
        await using ScriptedConnection peer = await server.AcceptAsync();

        Task<ulong> call = client.GetBlockNumberAsync();
        await peer.ReadRequestAsync();
        await peer.WriteAsync(ScriptedHttpServer.Response("upstream busy", 503, "Service Unavailable"));
        RpcTransportException e = await Assert.ThrowsAsync<RpcTransportException>(() => call.WaitAsync(Timeout));
        Assert.Equal($"eth_blockNumber: {server.Endpoint.Url} answered HTTP 503 with 'upstream busy'", e.Message);
        Assert.Equal(TxOutcome.ServerError, e.Outcome);

        Task<ulong> limited = client.GetBlockNumberAsync();
        await peer.ReadRequestAsync();
        await peer.WriteAsync(ScriptedHttpServer.Response("""{"jsonrpc":"2.0","id":2,"error":{"code":-32005,"message":"request rate exceeded"}}""", 429, "Too Many Requests"));
        RpcException rate = await Assert.ThrowsAsync<RpcException>(() => limited.WaitAsync(Timeout));
        Assert.Equal(TxOutcome.RateLimited, rate.Outcome);
    }

    [Fact]
    public async Task Reconnects_when_the_node_closed_the_idle_connection()
    {
        await using var server = new ScriptedHttpServer();
        await using RpcClient client = await RpcClient.ConnectAsync(server.Endpoint, Timeout);
        await using ScriptedConnection first = await server.AcceptAsync();

        Task<ulong> one = client.GetChainIdAsync();
        await first.ReadRequestAsync();
        await first.WriteAsync(ScriptedHttpServer.Response("""{"jsonrpc":"2.0","id":1,"result":"0x7a69"}"""));
        Assert.Equal(31337ul, await one.WaitAsync(Timeout));
        first.Close(); // idle timeout on the node side

        Task<ulong> two = client.GetChainIdAsync();
        await using ScriptedConnection second = await server.AcceptAsync();
        await second.ReadRequestAsync();
        await second.WriteAsync(ScriptedHttpServer.Response("""{"jsonrpc":"2.0","id":2,"result":"0x1"}"""));
        Assert.Equal(1ul, await two.WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_lost_connection_during_a_send_raw_transaction_is_reported_when_retries_are_off()
    {
        await using var server = new ScriptedHttpServer();
        await using RpcClient client = await RpcClient.ConnectAsync(server.Endpoint, Timeout, retry: RpcRetryPolicy.None);
        await using ScriptedConnection peer = await server.AcceptAsync();

        Task<FastLoad.Engine.Primitives.Hash256> send = client.SendRawTransactionAsync(new byte[] { 0x02, 0x01 });
        await peer.ReadRequestAsync();
        peer.Reset();
        RpcTransportException e = await Assert.ThrowsAsync<RpcTransportException>(() => send.WaitAsync(Timeout));
        Assert.StartsWith($"eth_sendRawTransaction: {server.Endpoint.Url}: ", e.Message);
        Assert.Equal(TxOutcome.ConnectionLost, e.Outcome);
    }
}
