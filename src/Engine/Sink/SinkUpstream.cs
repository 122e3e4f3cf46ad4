using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace FastLoad.Engine.Sink;

/// <summary>
/// Proxy mode's way to the real node: a plain <see cref="HttpClient"/> on a <see cref="SocketsHttpHandler"/>
/// (the proxy is a test tool, not the measured path). Every failure becomes an HTTP 502 answer naming the upstream.
/// </summary>
internal sealed class SinkUpstream : IDisposable
{
    private readonly HttpClient _http;

    public SinkUpstream(Uri url, TimeSpan timeout)
    {
        Url = url;
        _http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            MaxConnectionsPerServer = 256,
        })
        {
            Timeout = timeout,
        };
    }

    public Uri Url { get; }

    /// <summary>POSTs <paramref name="body"/> and returns the node's status and body as they are.</summary>
    public async Task<SinkExchange.Reply> ForwardAsync(byte[] body)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using HttpResponseMessage response = await _http.PostAsync(Url, content).ConfigureAwait(false);
            byte[] answer = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            int status = (int)response.StatusCode;
            string reason = string.IsNullOrEmpty(response.ReasonPhrase) ? "Status" : response.ReasonPhrase;
            return new SinkExchange.Reply(string.Create(CultureInfo.InvariantCulture, $"{status} {reason}"), answer, 0, 0);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            string message = e is TaskCanceledException ? $"no answer within {_http.Timeout.TotalSeconds:0.#} s" : e.Message;
            using var buffer = new MemoryStream(256);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("jsonrpc"u8, "2.0"u8);
                writer.WriteNull("id"u8);
                writer.WriteStartObject("error"u8);
                writer.WriteNumber("code"u8, -32603);
                writer.WriteString("message"u8, $"fastload sink: upstream {Url} failed: {message}");
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            byte[] error = buffer.ToArray();
            return new SinkExchange.Reply("502 Bad Gateway", error, 0, 0);
        }
    }

    public void Dispose() => _http.Dispose();
}
