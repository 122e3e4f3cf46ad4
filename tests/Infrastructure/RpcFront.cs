using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FastLoad.Tests.Infrastructure;

/// <summary>
/// A plain HTTP endpoint on a free loopback port (Kestrel) that passes every JSON-RPC POST through to a node and counts
/// the calls by method (each call of a batch counted): two fronts of one anvil are two URLs of one chain, so a test
/// can tell which calls went where (e.g. <c>--send-rpc</c> against <c>--rpc</c>).
/// </summary>
public sealed class RpcFront : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Uri _node;
    private readonly ConcurrentDictionary<string, long> _calls = new(StringComparer.Ordinal);

    private RpcFront(WebApplication app, Uri node)
    {
        _app = app;
        _node = node;
    }

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Calls of <paramref name="method"/> passed through so far.</summary>
    public long Calls(string method) => _calls.TryGetValue(method, out long n) ? n : 0;

    public static async Task<RpcFront> StartAsync(Uri node)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1));
        WebApplication app = builder.Build();
        var front = new RpcFront(app, node);
        app.Run(front.HandleAsync);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        front.Url = new Uri(address.EndsWith('/') ? address : address + "/");
        return front;
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Method != "POST")
        {
            context.Response.StatusCode = 405;
            return;
        }
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        Count(body.ToArray());
        using var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using HttpResponseMessage reply = await _upstream.PostAsync(_node, content);
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

    public async ValueTask DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5))) await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}
