using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace FastLoad.Tests.Infrastructure;

/// <summary>
/// A hosted-RPC stand-in: Kestrel on a free loopback port serving HTTPS with a self-signed certificate made here,
/// requiring one exact <c>Authorization</c> header (401 otherwise), and passing JSON-RPC POSTs (HttpClient) and
/// WebSocket sessions (newHeads) through to a plain node behind it. An independent TLS and HTTP implementation, so
/// FastLoad's client is tested against something it did not write.
/// </summary>
public sealed class TlsFront : IAsyncDisposable
{
    private WebApplication _app = null!;
    private readonly HttpClient _upstream = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Uri _node;
    private readonly string _authorization;
    private long _posts, _unauthorized, _webSockets;

    private TlsFront(Uri node, string authorization, X509Certificate2 certificate, string certificateFile)
    {
        _node = node;
        _authorization = authorization;
        Certificate = certificate;
        CertificateFile = certificateFile;
    }

    /// <summary><c>https://127.0.0.1:PORT/</c>.</summary>
    public Uri Url { get; private set; } = null!;

    public X509Certificate2 Certificate { get; }

    /// <summary>The certificate as PEM (no key), for <c>--ca-cert</c>.</summary>
    public string CertificateFile { get; }

    /// <summary>POSTs passed through to the node (authorized).</summary>
    public long Posts => Interlocked.Read(ref _posts);

    /// <summary>Requests answered 401 (no or the wrong Authorization header).</summary>
    public long Unauthorized => Interlocked.Read(ref _unauthorized);

    /// <summary>WebSocket sessions opened to the node.</summary>
    public long WebSockets => Interlocked.Read(ref _webSockets);

    /// <summary>
    /// Starts the front for <paramref name="node"/>, requiring <c>Authorization: <paramref name="authorization"/></c>.
    /// The certificate names 127.0.0.1 and localhost, or only <paramref name="certificateName"/> when given.
    /// </summary>
    public static async Task<TlsFront> StartAsync(Uri node, string authorization, string? certificateName = null)
    {
        X509Certificate2 certificate = CreateCertificate(certificateName);
        string pem = TestPaths.NewFile(".pem");
        await File.WriteAllTextAsync(pem, certificate.ExportCertificatePem());

        var front = new TlsFront(node, authorization, certificate, pem);
        (front._app, front.Url) = await LocalKestrel.StartAsync(front.HandleAsync, listen => listen.UseHttps(certificate));
        return front;
    }

    /// <summary>ECDSA P-256, for 127.0.0.1 and localhost (or <paramref name="name"/>), valid for a day; self-signed (its own trust anchor).</summary>
    private static X509Certificate2 CreateCertificate(string? name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=fastload test front", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        if (name is not null)
        {
            names.AddDnsName(name);
        }
        else
        {
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
        }
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Headers.Authorization.ToString() != _authorization)
        {
            Interlocked.Increment(ref _unauthorized);
            context.Response.StatusCode = 401;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await context.Response.WriteAsync("{\"error\":\"unauthorized\"}");
            return;
        }
        if (context.WebSockets.IsWebSocketRequest)
        {
            await ProxyWebSocketAsync(context);
            return;
        }
        if (context.Request.Method == "POST") Interlocked.Increment(ref _posts);
        await RpcFront.ForwardPostAsync(context, _upstream, _node);
    }

    private async Task ProxyWebSocketAsync(HttpContext context)
    {
        using var upstream = new ClientWebSocket();
        await upstream.ConnectAsync(new UriBuilder(_node) { Scheme = "ws" }.Uri, context.RequestAborted);
        using WebSocket client = await context.WebSockets.AcceptWebSocketAsync();
        Interlocked.Increment(ref _webSockets);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        Task up = PumpAsync(client, upstream, done.Token);
        Task down = PumpAsync(upstream, client, done.Token);
        await Task.WhenAny(up, down);
        await done.CancelAsync();
        try
        {
            await Task.WhenAll(up, down);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
    }

    private static async Task PumpAsync(WebSocket from, WebSocket to, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        while (!ct.IsCancellationRequested)
        {
            WebSocketReceiveResult received = await from.ReceiveAsync(buffer, ct);
            if (received.MessageType == WebSocketMessageType.Close) return;
            await to.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await LocalKestrel.StopAsync(_app);
        _upstream.Dispose();
        Certificate.Dispose();
    }
}
