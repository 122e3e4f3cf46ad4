using System.Net;
using System.Text;
using System.Text.Json;
using FastLoad.Engine.Sink;

namespace FastLoad.Tests.Sink;

/// <summary>An in-process sink on a free loopback port and a plain HttpClient to talk to it.</summary>
public sealed class SinkServerFixture : IAsyncLifetime
{
    public SinkServer Server { get; private set; } = null!;

    public HttpClient Http { get; } = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    public Task InitializeAsync()
    {
        Server = SinkServer.Start(new SinkOptions { Address = IPAddress.Loopback, Port = 0, ChainId = 31337 });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }

    /// <summary>POSTs a JSON body and parses the answer (which must be 200 and JSON).</summary>
    public async Task<JsonElement> PostAsync(string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await Http.PostAsync(Server.Url, content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        string text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
