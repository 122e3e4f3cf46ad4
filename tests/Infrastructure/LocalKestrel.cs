using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FastLoad.Tests.Infrastructure;

/// <summary>The test servers' common start: Kestrel on a free loopback port, HTTP/1.1, no logging, WebSockets on, one handler for every request.</summary>
public static class LocalKestrel
{
    /// <summary>Starts serving <paramref name="handler"/>; <paramref name="listen"/> adds to the endpoint (e.g. HTTPS). The URL is <c>http(s)://127.0.0.1:PORT/</c>.</summary>
    public static async Task<(WebApplication App, Uri Url)> StartAsync(RequestDelegate handler, Action<ListenOptions>? listen = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, options =>
        {
            options.Protocols = HttpProtocols.Http1;
            listen?.Invoke(options);
        }));
        WebApplication app = builder.Build();
        app.UseWebSockets();
        app.Run(handler);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    /// <summary>Stops and disposes a server started here (at most 5 s for open connections).</summary>
    public static async Task StopAsync(WebApplication app)
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5))) await app.StopAsync(stop.Token);
        await app.DisposeAsync();
    }
}
