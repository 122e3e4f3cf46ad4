using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace FastLoad.Tests.Sink;

/// <summary>HTTP/1.1 on a raw socket: pipelining, keep-alive, Connection: close, bad requests.</summary>
public class SinkHttpTests(SinkServerFixture sink) : IClassFixture<SinkServerFixture>
{
    private static byte[] Post(string json, string extraHeaders = "")
    {
        byte[] body = Encoding.UTF8.GetBytes(json);
        return [.. Encoding.ASCII.GetBytes($"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{extraHeaders}Content-Length: {body.Length}\r\n\r\n"), .. body];
    }

    private async Task<(TcpClient Client, NetworkStream Stream)> ConnectAsync()
    {
        var client = new TcpClient { NoDelay = true, ReceiveTimeout = 10_000, SendTimeout = 10_000 };
        await client.ConnectAsync(sink.Server.EndPoint.Address, sink.Server.Port);
        return (client, client.GetStream());
    }

    /// <summary>Reads one response: status line, headers (names lower-cased), Content-Length body.</summary>
    private static async Task<(string Status, Dictionary<string, string> Headers, string Body)> ReadResponseAsync(Stream stream, MemoryStream pending)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        byte[] chunk = new byte[8192];
        while (true)
        {
            byte[] have = pending.ToArray();
            int headEnd = have.AsSpan().IndexOf("\r\n\r\n"u8);
            if (headEnd >= 0)
            {
                string[] lines = Encoding.ASCII.GetString(have, 0, headEnd).Split("\r\n");
                var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
                int length = int.Parse(headers["content-length"]);
                int total = headEnd + 4 + length;
                if (have.Length >= total)
                {
                    pending.SetLength(0);
                    pending.Write(have, total, have.Length - total);
                    return (lines[0], headers, Encoding.UTF8.GetString(have, headEnd + 4, length));
                }
            }
            int read = await stream.ReadAsync(chunk, timeout.Token);
            if (read == 0) throw new EndOfStreamException("connection closed before a whole response");
            pending.Write(chunk, 0, read);
        }
    }

    [Fact]
    public async Task Three_pipelined_requests_in_one_write_are_answered_in_order()
    {
        (string raw, string hash) = SinkTestTxs.SignHex(100);
        byte[] three =
        [
            .. Post("""{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"""),
            .. Post(SinkTestTxs.SendRaw(2, raw)),
            .. Post("""{"jsonrpc":"2.0","id":3,"method":"eth_blockNumber"}"""),
        ];
        (TcpClient client, NetworkStream stream) = await ConnectAsync();
        using (client)
        {
            await stream.WriteAsync(three);
            var pending = new MemoryStream();
            var answers = new List<JsonElement>();
            for (int i = 0; i < 3; i++)
            {
                (string status, Dictionary<string, string> headers, string body) = await ReadResponseAsync(stream, pending);
                Assert.Equal("HTTP/1.1 200 OK", status);
                Assert.False(headers.ContainsKey("connection"));
                answers.Add(JsonDocument.Parse(body).RootElement.Clone());
            }
            Assert.Equal([1, 2, 3], answers.Select(a => a.GetProperty("id").GetInt32()));
            Assert.Equal("0x7a69", answers[0].GetProperty("result").GetString());
            Assert.Equal(hash, answers[1].GetProperty("result").GetString());
            Assert.Equal("0x0", answers[2].GetProperty("result").GetString());

            // The connection stays open for more.
            await stream.WriteAsync(Post("""{"jsonrpc":"2.0","id":4,"method":"net_version"}"""));
            Assert.Contains("\"id\":4", (await ReadResponseAsync(stream, pending)).Body);
        }
    }

    [Fact]
    public async Task A_request_split_across_many_writes_is_answered_once_whole()
    {
        (string raw, string hash) = SinkTestTxs.SignHex(101);
        byte[] request = Post(SinkTestTxs.SendRaw(1, raw));
        (TcpClient client, NetworkStream stream) = await ConnectAsync();
        using (client)
        {
            for (int at = 0; at < request.Length; at += 37)
            {
                await stream.WriteAsync(request.AsMemory(at, Math.Min(37, request.Length - at)));
                await stream.FlushAsync();
                await Task.Delay(1);
            }
            (_, _, string body) = await ReadResponseAsync(stream, new MemoryStream());
            Assert.Equal(hash, JsonDocument.Parse(body).RootElement.GetProperty("result").GetString());
        }
    }

    [Fact]
    public async Task Connection_close_is_answered_then_the_socket_closes()
    {
        (TcpClient client, NetworkStream stream) = await ConnectAsync();
        using (client)
        {
            await stream.WriteAsync(Post("""{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}""", "Connection: close\r\n"));
            var pending = new MemoryStream();
            (string status, Dictionary<string, string> headers, _) = await ReadResponseAsync(stream, pending);
            Assert.Equal("HTTP/1.1 200 OK", status);
            Assert.Equal("close", headers["connection"]);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            Assert.Equal(0, await stream.ReadAsync(new byte[16], timeout.Token));
        }
    }

    [Theory]
    [InlineData("POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", "400")]
    [InlineData("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", "400")]
    [InlineData("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "501")]
    [InlineData("POST / HTTP/2.0\r\nContent-Length: 0\r\n\r\n", "505")]
    [InlineData("POST / HTTP/1.1\r\nContent-Length: 999999999999\r\n\r\n", "413")]
    public async Task A_bad_request_is_answered_with_its_status_and_the_socket_closes(string request, string status)
    {
        (TcpClient client, NetworkStream stream) = await ConnectAsync();
        using (client)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
            (string line, Dictionary<string, string> headers, _) = await ReadResponseAsync(stream, new MemoryStream());
            Assert.StartsWith($"HTTP/1.1 {status} ", line);
            Assert.Equal("close", headers["connection"]);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            Assert.Equal(0, await stream.ReadAsync(new byte[16], timeout.Token));
        }
    }

    [Fact]
    public async Task Http_1_0_keeps_the_connection_only_when_asked()
    {
        byte[] body = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}""");
        (TcpClient client, NetworkStream stream) = await ConnectAsync();
        using (client)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST / HTTP/1.0\r\nConnection: Keep-Alive\r\nContent-Length: {body.Length}\r\n\r\n"));
            await stream.WriteAsync(body);
            var pending = new MemoryStream();
            (_, Dictionary<string, string> headers, _) = await ReadResponseAsync(stream, pending);
            Assert.Equal("keep-alive", headers["connection"]);

            await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST / HTTP/1.0\r\nContent-Length: {body.Length}\r\n\r\n"));
            await stream.WriteAsync(body);
            (_, headers, string answer) = await ReadResponseAsync(stream, pending);
            Assert.Equal("close", headers["connection"]);
            Assert.Contains("0x7a69", answer);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            Assert.Equal(0, await stream.ReadAsync(new byte[16], timeout.Token));
        }
    }

    [Fact]
    public async Task Get_is_405_and_keeps_the_connection()
    {
        (TcpClient client, NetworkStream stream) = await ConnectAsync();
        using (client)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
            var pending = new MemoryStream();
            (string status, Dictionary<string, string> headers, _) = await ReadResponseAsync(stream, pending);
            Assert.Equal("HTTP/1.1 405 Method Not Allowed", status);
            Assert.Equal("POST", headers["allow"]);
            Assert.Equal("0", headers["content-length"]);
            await stream.WriteAsync(Post("""{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"""));
            Assert.Equal("HTTP/1.1 200 OK", (await ReadResponseAsync(stream, pending)).Status);
        }
    }

    [Fact]
    public async Task Expect_100_continue_gets_an_interim_answer_before_the_body()
    {
        byte[] body = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}""");
        (TcpClient client, NetworkStream stream) = await ConnectAsync();
        using (client)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: {body.Length}\r\n\r\n"));
            byte[] interim = new byte[25];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await stream.ReadExactlyAsync(interim, timeout.Token);
            Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n", Encoding.ASCII.GetString(interim));
            await stream.WriteAsync(body);
            (string status, _, string answer) = await ReadResponseAsync(stream, new MemoryStream());
            Assert.Equal("HTTP/1.1 200 OK", status);
            Assert.Contains("0x7a69", answer);
        }
    }

    [Fact]
    public async Task Chunked_body_split_mid_chunk_with_extensions_and_trailers_is_reassembled()
    {
        (string raw, string hash) = SinkTestTxs.SignHex(102);
        byte[] json = Encoding.UTF8.GetBytes(SinkTestTxs.SendRaw(1, raw));
        int half = json.Length / 2;
        byte[] request =
        [
            .. Encoding.ASCII.GetBytes($"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n{half:x};ext=1\r\n"),
            .. json[..half],
            .. Encoding.ASCII.GetBytes($"\r\n{json.Length - half:X}\r\n"),
            .. json[half..],
            .. "\r\n0\r\nX-Trailer: 1\r\n\r\n"u8.ToArray(),
        ];
        (TcpClient client, NetworkStream stream) = await ConnectAsync();
        using (client)
        {
            for (int at = 0; at < request.Length; at += 50)
            {
                await stream.WriteAsync(request.AsMemory(at, Math.Min(50, request.Length - at)));
                await Task.Delay(1);
            }
            (_, _, string body) = await ReadResponseAsync(stream, new MemoryStream());
            Assert.Equal(hash, JsonDocument.Parse(body).RootElement.GetProperty("result").GetString());
        }
    }
}
