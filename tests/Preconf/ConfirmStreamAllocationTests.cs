using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using FastLoad.Engine.Preconf;
using FastLoad.Engine.Primitives;

namespace FastLoad.Tests.Preconf;

/// <summary>
/// The stream's read path per message (receive into the pooled buffer, scan, look up, record) allocates nothing once
/// warm: measured over the whole process while a bare WebSocket server (a socket and <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>,
/// no web framework) sends thousands of messages (measured: 3,232 B over 20,000 messages, 0.2 B each: nothing per message).
/// </summary>
[Collection(nameof(FastLoad.Tests.Integration.SaturatingCollection))] // measures the whole process: nothing else may run meanwhile
public class ConfirmStreamAllocationTests
{
    private sealed class CountingSink : IPreconfSink
    {
        public long Count;

        public void OnPreconf(int stream, long id, long intendedTicks, long seenTicks, bool first) => Interlocked.Increment(ref Count);
    }

    [Fact]
    public async Task Reading_messages_allocates_nothing_per_message()
    {
        const int Warm = 2_000, Measured = 20_000;
        var hashes = new string[Warm + Measured];
        var tracker = new PreconfTracker(streams: 1, capacity: hashes.Length);
        for (int i = 0; i < hashes.Length; i++)
        {
            byte[] h = SHA256.HashData(BitConverter.GetBytes(i));
            hashes[i] = "0x" + Convert.ToHexStringLower(h);
            tracker.Add(new Hash256(h), i + 1, 0);
        }
        // Each message: one tx of ours, a foreign hash and a raw tx, as a flashblock would mention them.
        byte[][] messages = hashes.Select(h => Encoding.UTF8.GetBytes(
            $$$"""{"txs":["{{{h}}}","0x{{{new string('e', 64)}}}"],"raw":"0x02f8{{{new string('a', 200)}}}"}""")).ToArray();

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var url = new Uri($"ws://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        var sink = new CountingSink();
        var stream = new ConfirmStream(0, url, tracker, sink);
        using var stop = new CancellationTokenSource();
        Task reading = stream.RunAsync(stop.Token);
        using TcpClient client = await listener.AcceptTcpClientAsync();
        using WebSocket server = await AcceptAsync(client.GetStream());

        for (int i = 0; i < Warm; i++) await server.SendAsync(messages[i], WebSocketMessageType.Text, true, default);
        await WaitForAsync(() => stream.Messages >= Warm);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = Warm; i < messages.Length; i++) await server.SendAsync(messages[i], WebSocketMessageType.Text, true, default);
        await WaitForAsync(() => stream.Messages >= messages.Length);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        await stop.CancelAsync();
        await reading.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(messages.Length, Interlocked.Read(ref sink.Count));
        Assert.Equal(2L * messages.Length, stream.Hashes);
        // Both ends in one process: whatever the server side and the runtime's timers allocate counts too. A buffer or
        // a string per message would be hundreds of bytes each.
        double perMessage = allocated / (double)Measured;
        Assert.True(perMessage < 1, $"{perMessage:F1} B per message ({allocated:N0} B over {Measured:N0})");
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (int i = 0; i < 3_000 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition(), "timed out");
    }

    /// <summary>The server side of the WebSocket handshake (RFC 6455 §4.2.2), then a server WebSocket over the stream.</summary>
    private static async Task<WebSocket> AcceptAsync(NetworkStream stream)
    {
        var request = new StringBuilder();
        var one = new byte[1];
        while (!request.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(one) == 1) request.Append((char)one[0]);
        string key = request.ToString().Split("\r\n").First(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase))[18..].Trim();
        string accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"));
        return WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true });
    }
}
