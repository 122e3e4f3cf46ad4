using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace FastLoad.Tests.Infrastructure;

/// <summary>
/// A plain HTTP endpoint on a free loopback port (Kestrel) that passes every JSON-RPC POST through to a node and counts
/// the calls by method (each call of a batch counted): two fronts of one anvil are two URLs of one chain, so a test
/// can tell which calls went where (e.g. <c>--send-rpc</c> against <c>--rpc</c>).
/// </summary>
public sealed class RpcFront : IAsyncDisposable
{
    private WebApplication _app = null!;
    private readonly HttpClient _upstream = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Uri _node;
    private readonly ConcurrentDictionary<string, long> _calls = new(StringComparer.Ordinal);

    private RpcFront(Uri node) => _node = node;

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Calls of <paramref name="method"/> passed through so far.</summary>
    public long Calls(string method) => _calls.TryGetValue(method, out long n) ? n : 0;

    public static async Task<RpcFront> StartAsync(Uri node)
    {
        var front = new RpcFront(node);
        (front._app, front.Url) = await LocalKestrel.StartAsync(front.HandleAsync);
        return front;
    }

    private Task HandleAsync(HttpContext context) => ForwardPostAsync(context, _upstream, _node, Count);

    /// <summary>Passes a JSON-RPC POST through to <paramref name="node"/> and its answer back (405 for anything else); <paramref name="inspect"/> sees the request body first.</summary>
    public static async Task ForwardPostAsync(HttpContext context, HttpClient upstream, Uri node, Action<byte[]>? inspect = null)
    {
        if (context.Request.Method != "POST")
        {
            context.Response.StatusCode = 405;
            return;
        }
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        byte[] request = body.ToArray();
        inspect?.Invoke(request);
        using var content = new ByteArrayContent(request);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using HttpResponseMessage reply = await upstream.PostAsync(node, content);
        byte[] answer = await reply.Content.ReadAsByteArrayAsync();
        context.Response.StatusCode = (int)reply.StatusCode;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = answer.Length;
        await context.Response.Body.WriteAsync(answer);
    }

    private void Count(byte[] body)
    {
        using JsonDocument request = JsonDocument.Parse(body);
        if (request.RootElement.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement call in request.RootElement.EnumerateArray()) CountOne(call);
        }
        else
        {
            CountOne(request.RootElement);
        }
    }

    private void CountOne(JsonElement call)
    {
        if (call.TryGetProperty("method", out JsonElement method) && method.GetString() is string name) _calls.AddOrUpdate(name, 1, (_, n) => n + 1);
    }

    /// <summary>
    /// Asserts the split of a run sent through <paramref name="send"/> (<c>--send-rpc</c>) and tracked through
    /// <paramref name="rpc"/> (<c>--rpc</c>): all <paramref name="sent"/> txs went to the send front, at most the funding
    /// of <paramref name="wallets"/> wallets to <paramref name="rpc"/>, which served the nonces and blocks; the send front
    /// saw nothing but sends.
    /// </summary>
    public static void AssertSendsWentTo(RpcFront send, RpcFront rpc, long sent, int wallets)
    {
        Assert.Equal(sent, send.Calls("eth_sendRawTransaction"));
        Assert.True(rpc.Calls("eth_sendRawTransaction") <= wallets, $"{rpc.Calls("eth_sendRawTransaction")} raw txs went to --rpc");
        Assert.True(rpc.Calls("eth_getTransactionCount") >= wallets);
        Assert.True(rpc.Calls("eth_getBlockByNumber") > 0);
        Assert.Equal(0, send.Calls("eth_getTransactionCount") + send.Calls("eth_getBlockByNumber") + send.Calls("eth_blockNumber") + send.Calls("eth_chainId"));
    }

    public async ValueTask DisposeAsync()
    {
        await LocalKestrel.StopAsync(_app);
        _upstream.Dispose();
    }
}
