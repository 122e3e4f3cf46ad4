using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace FastLoad.Tests.Infrastructure;

/// <summary>
/// A preconfirmation stream stand-in: a WebSocket server (Kestrel, <c>ws://127.0.0.1:PORT/stream</c>) that reads the
/// node's pending pool as txs enter it (anvil's own <c>eth_subscribe("newPendingTransactions")</c>) and announces
/// their hashes to every client as JSON, several per message when they come together:
/// <c>{"type":"preconf","txs":["0x…","0x…"]}</c> — the shape of a sequencer's preconfirmation or flashblocks feed,
/// which mentions a tx before the block that holds it.
/// </summary>
public sealed class PendingTxStream : IAsyncDisposable
{
    private WebApplication _app = null!;
    private readonly ClientWebSocket _node = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Channel<byte[]>> _clients = [];
    private readonly Channel<string> _hashes = Channel.CreateUnbounded<string>();
    private Task _relay = Task.CompletedTask, _announce = Task.CompletedTask;
    private long _announced, _messages;


    /// <summary><c>ws://127.0.0.1:PORT/stream</c>.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Hashes announced so far (each once).</summary>
    public long Announced => Interlocked.Read(ref _announced);

    /// <summary>Messages sent to each client so far.</summary>
    public long Messages => Interlocked.Read(ref _messages);

    /// <summary>Subscribes to <paramref name="node"/>'s pending txs and starts serving the stream.</summary>
    public static async Task<PendingTxStream> StartAsync(Uri node)
    {
        var stream = new PendingTxStream();
        (stream._app, Uri http) = await LocalKestrel.StartAsync(stream.ServeAsync);
        stream.Url = new Uri(http.ToString().Replace("http://", "ws://", StringComparison.Ordinal) + "stream");

        await stream._node.ConnectAsync(new UriBuilder(node) { Scheme = "ws" }.Uri, stream._stop.Token);
        await stream._node.SendAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_subscribe\",\"params\":[\"newPendingTransactions\"]}"u8.ToArray(),
            WebSocketMessageType.Text, true, stream._stop.Token);
        stream._relay = stream.RelayAsync();
        stream._announce = stream.AnnounceAsync();
        return stream;
    }

    /// <summary>Reads the node's notifications: every hash goes to the announcer.</summary>
    private async Task RelayAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                int filled = 0;
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await _node.ReceiveAsync(buffer.AsMemory(filled), _stop.Token);
                    filled += received.Count;
                }
                while (!received.EndOfMessage);
                if (received.MessageType == WebSocketMessageType.Close) return;
                using JsonDocument message = JsonDocument.Parse(buffer.AsMemory(0, filled));
                if (message.RootElement.TryGetProperty("params", out JsonElement p) && p.TryGetProperty("result", out JsonElement hash))
                    _hashes.Writer.TryWrite(hash.GetString()!);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
    }

    /// <summary>Announces each hash as soon as it comes; hashes that came together go out in one message.</summary>
    private async Task AnnounceAsync()
    {
        var batch = new List<string>();
        try
        {
            while (await _hashes.Reader.WaitToReadAsync(_stop.Token))
            {
                batch.Clear();
                while (batch.Count < 100 && _hashes.Reader.TryRead(out string? hash)) batch.Add(hash);
                var json = new StringBuilder("{\"type\":\"preconf\",\"txs\":[");
                for (int i = 0; i < batch.Count; i++) json.Append(i == 0 ? "" : ",").Append('"').Append(batch[i]).Append('"');
                byte[] bytes = Encoding.UTF8.GetBytes(json.Append("]}").ToString());
                Interlocked.Add(ref _announced, batch.Count);
                Interlocked.Increment(ref _messages);
                lock (_clients)
                    foreach (Channel<byte[]> client in _clients) client.Writer.TryWrite(bytes);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ServeAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }
        using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
        var outbox = Channel.CreateUnbounded<byte[]>();
        lock (_clients) _clients.Add(outbox);
        try
        {
            using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stop.Token);
            await foreach (byte[] message in outbox.Reader.ReadAllAsync(done.Token))
                await socket.SendAsync(message, WebSocketMessageType.Text, true, done.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
        finally
        {
            lock (_clients) _clients.Remove(outbox);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_relay, _announce);
        _node.Dispose();
        await LocalKestrel.StopAsync(_app);
        _stop.Dispose();
    }
}
