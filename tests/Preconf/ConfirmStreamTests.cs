using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using FastLoad.Engine.Preconf;
using FastLoad.Engine.Primitives;
using FastLoad.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;

namespace FastLoad.Tests.Preconf;

/// <summary>A confirmation stream against a real WebSocket server (Kestrel) sending scripted messages.</summary>
public class ConfirmStreamTests
{
    private sealed class Sink : IPreconfSink
    {
        public readonly ConcurrentQueue<(int Stream, long Id, long Intended, long Seen, bool First)> Seen = new();

        public void OnPreconf(int stream, long id, long intendedTicks, long seenTicks, bool first) => Seen.Enqueue((stream, id, intendedTicks, seenTicks, first));
    }

    private static string Hex(byte b) => "0x" + new string((char)('0' + b), 64);

    private static Hash256 Hash(byte b) => Hash256.Parse(Hex(b));

    [Fact]
    public async Task Reads_fragmented_text_and_brotli_messages_matches_each_tx_once_and_reconnects_after_a_close()
    {
        // Connection 1: a text message in three fragments with a hash cut across them; a message with a foreign hash
        // and tx 1 again; then the server closes. Connection 2: a Brotli-compressed binary message (flashblocks).
        int connection = 0;
        string first = $$"""{"txs":["{{Hex(1)}}","{{Hex(2)}}"]}""";
        byte[] compressed = Compress("{\"diff\":{\"transactions\":[\"0x02f8" + new string('a', 300) + "\"]},\"metadata\":{\"receipts\":{\"" + Hex(3) + "\":{}}}}");
        (WebApplication server, Uri http) = await LocalKestrel.StartAsync(async context =>
        {
            using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
            if (Interlocked.Increment(ref connection) == 1)
            {
                byte[] text = Encoding.UTF8.GetBytes(first);
                int cut1 = first.IndexOf(Hex(1), StringComparison.Ordinal) + 20, cut2 = first.IndexOf(Hex(2), StringComparison.Ordinal) + 40;
                await socket.SendAsync(text.AsMemory(0, cut1), WebSocketMessageType.Text, false, default);
                await socket.SendAsync(text.AsMemory(cut1, cut2 - cut1), WebSocketMessageType.Text, false, default);
                await socket.SendAsync(text.AsMemory(cut2), WebSocketMessageType.Text, true, default);
                await socket.SendAsync(Encoding.UTF8.GetBytes($$"""{"txs":["{{Hex(9)}}","{{Hex(1)}}"]}"""), WebSocketMessageType.Text, true, default);
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", default);
                return;
            }
            await socket.SendAsync(compressed, WebSocketMessageType.Binary, true, default);
            try
            {
                await socket.ReceiveAsync(new byte[16], CancellationToken.None); // until the client goes
            }
            catch (WebSocketException)
            {
            }
        });
        var url = new Uri(http.ToString().Replace("http://", "ws://", StringComparison.Ordinal));

        var tracker = new PreconfTracker(streams: 2);
        for (byte b = 1; b <= 3; b++) tracker.Add(Hash(b), b, intendedTicks: 100 * b);
        var sink = new Sink();
        var errors = new ConcurrentQueue<string>();
        var stream = new ConfirmStream(1, url, tracker, sink) { OnError = errors.Enqueue };
        using var stop = new CancellationTokenSource();
        long before = System.Diagnostics.Stopwatch.GetTimestamp();
        Task reading = stream.RunAsync(stop.Token);
        for (int i = 0; i < 200 && sink.Seen.Count < 3; i++) await Task.Delay(50);
        await stop.CancelAsync();
        await reading.WaitAsync(TimeSpan.FromSeconds(10));

        var seen = sink.Seen.OrderBy(s => s.Id).ToList();
        Assert.Equal([1L, 2L, 3L], seen.Select(s => s.Id));                   // each once: tx 1's second mention is not counted
        Assert.All(seen, s => Assert.Equal(1, s.Stream));
        Assert.All(seen, s => Assert.True(s.First));
        Assert.All(seen, s => Assert.Equal(100 * s.Id, s.Intended));
        Assert.All(seen, s => Assert.True(s.Seen > before));
        Assert.Equal(3, stream.Messages);
        Assert.Equal(5, stream.Hashes);                                        // 2 + 2 + 1 hash-shaped values (the raw tx is not one)
        Assert.Equal(3, stream.Matched);
        Assert.Equal(2, stream.Connects);
        Assert.Contains("closed the stream", Assert.Single(errors));
        await LocalKestrel.StopAsync(server);
    }

    [Fact]
    public async Task A_stream_that_cannot_be_opened_says_why_and_keeps_trying()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        var errors = new ConcurrentQueue<string>();
        var stream = new ConfirmStream(0, new Uri($"ws://127.0.0.1:{port}/"), new PreconfTracker(1), new Sink()) { OnError = errors.Enqueue };
        using var stop = new CancellationTokenSource();
        Task reading = stream.RunAsync(stop.Token);
        for (int i = 0; i < 100 && errors.Count < 2; i++) await Task.Delay(50);
        await stop.CancelAsync();
        await reading.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(errors.Count >= 2, $"{errors.Count} errors");
        Assert.Equal(0, stream.Connects);
        Assert.NotNull(stream.LastError);
    }

    private static byte[] Compress(string text)
    {
        using var output = new MemoryStream();
        using (var brotli = new BrotliStream(output, CompressionLevel.Fastest)) brotli.Write(Encoding.UTF8.GetBytes(text));
        return output.ToArray();
    }
}
