using System.Net;
using System.Net.Sockets;
using System.Text;
using FastLoad.Engine.Rpc;

namespace FastLoad.Tests.Rpc;

/// <summary>The HTTP/1.1 pipelined transport against a scripted raw TCP server.</summary>
public class PipelinedHttpConnectionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static byte[] Body(int id) => Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"eth_chainId\",\"params\":[]}}");

    private static Task<PipelinedHttpConnection> ConnectAsync(ScriptedHttpServer server, int maxInFlight = 16, TimeSpan? timeout = null) =>
        PipelinedHttpConnection.ConnectAsync(server.Endpoint, maxInFlight, timeout ?? Timeout, CancellationToken.None);

    private static async Task SendAsync(PipelinedHttpConnection connection, RecordingHandler handler, int id) =>
        await connection.SendAsync(Body(id), handler, id, CancellationToken.None);

    [Fact]
    public async Task Writes_the_request_head_and_body_and_delivers_a_content_length_response()
    {
        await using var server = new ScriptedHttpServer();
        await using PipelinedHttpConnection connection = await ConnectAsync(server);
        await using ScriptedConnection peer = await server.AcceptAsync();
        var handler = new RecordingHandler();

        await SendAsync(connection, handler, 7);
        ScriptedConnection.Request request = await peer.ReadRequestAsync();
        string body = Encoding.UTF8.GetString(Body(7));
        Assert.Equal(
            $"POST / HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n",
            request.Head);
        Assert.Equal(body, request.Body);
        Assert.Equal(1, connection.InFlight);

        await peer.WriteAsync(ScriptedHttpServer.Response("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0x7a69\"}"));
        RecordingHandler.Event e = Assert.Single(await handler.WaitForAsync(1));
        Assert.True(e.IsResponse);
        Assert.Equal(200, e.Status);
        Assert.Equal("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0x7a69\"}", e.Body);
        Assert.Equal(7, e.State);
        Assert.Equal(0, connection.InFlight);
        Assert.False(connection.IsFaulted);
    }

    [Fact]
    public async Task Delivers_a_chunked_response_with_extensions_and_trailers()
    {
        await using var server = new ScriptedHttpServer();
        await using PipelinedHttpConnection connection = await ConnectAsync(server);
        await using ScriptedConnection peer = await server.AcceptAsync();
        var handler = new RecordingHandler();

        await SendAsync(connection, handler, 1);
        await SendAsync(connection, handler, 2);
        await peer.ReadRequestsAsync(2);
        await peer.WriteAsync(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
            "a;name=value\r\n{\"id\":1,\"r\r\n" +
            "E ; quoted=\"x;y\"\r\nesult\":\"0xab\"}\r\n" +
            "0\r\nX-Checksum: 123\r\nX-Other: a\r\n\r\n" +
            // then a content-length response, to check the parser is back in step
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
        IReadOnlyList<RecordingHandler.Event> events = await handler.WaitForAsync(2);
        Assert.Equal("{\"id\":1,\"result\":\"0xab\"}", events[0].Body);
        Assert.Equal(1, events[0].State);
        Assert.Equal("{}", events[1].Body);
        Assert.Equal(2, events[1].State);
    }

    [Fact]
    public async Task Parses_responses_split_at_every_byte_boundary_keeping_state_across_reads()
    {
        await using var server = new ScriptedHttpServer();
        await using PipelinedHttpConnection connection = await ConnectAsync(server);
        await using ScriptedConnection peer = await server.AcceptAsync();
        var handler = new RecordingHandler();

        byte[] contentLength = ScriptedHttpServer.Response("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}");
        byte[] chunked = Encoding.ASCII.GetBytes(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nT: v\r\n\r\n");
        byte[] both = [.. contentLength, .. chunked];
        int delivered = 0;
        for (int split = 1; split < both.Length; split++)
        {
            await SendAsync(connection, handler, split * 2);
            await SendAsync(connection, handler, split * 2 + 1);
            await peer.ReadRequestsAsync(2);
            await peer.WriteAsync(both[..split]);
            await Task.Delay(2); // let the client read the first part on its own
            await peer.WriteAsync(both[split..]);
            delivered += 2;
            IReadOnlyList<RecordingHandler.Event> events = await handler.WaitForAsync(delivered);
            Assert.Equal("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}", events[^2].Body);
            Assert.Equal("{\"a\":1}", events[^1].Body);
            Assert.Equal(split * 2 + 1, events[^1].State);
        }
        Assert.False(connection.IsFaulted);
    }

    [Fact]
    public async Task Parses_a_response_written_one_byte_at_a_time()
    {
        await using var server = new ScriptedHttpServer();
        await using PipelinedHttpConnection connection = await ConnectAsync(server);
        await using ScriptedConnection peer = await server.AcceptAsync();
        var handler = new RecordingHandler();

        await SendAsync(connection, handler, 1);
        await SendAsync(connection, handler, 2);
        await peer.ReadRequestsAsync(2);
        byte[] bytes = [.. ScriptedHttpServer.Response("{\"x\":true}"),
                        .. Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")];
        await peer.WriteByteByByteAsync(bytes, TimeSpan.FromMilliseconds(1));
        IReadOnlyList<RecordingHandler.Event> events = await handler.WaitForAsync(2);
        Assert.Equal("{\"x\":true}", events[0].Body);
        Assert.Equal("abc", events[1].Body);
    }

    [Fact]
    public async Task Matches_pipelined_responses_answered_in_one_write_to_their_requests_in_order()
    {
        await using var server = new ScriptedHttpServer();
        await using PipelinedHttpConnection connection = await ConnectAsync(server, maxInFlight: 10);
        await using ScriptedConnection peer = await server.AcceptAsync();
        var handler = new RecordingHandler();

        for (int i = 0; i < 10; i++) await SendAsync(connection, handler, i);
        Assert.Equal(10, connection.InFlight);
        ScriptedConnection.Request[] requests = await peer.ReadRequestsAsync(10);
        for (int i = 0; i < 10; i++) Assert.Contains($"\"id\":{i},", requests[i].Body);

        byte[] all = requests.SelectMany((_, i) => ScriptedHttpServer.Response($"{{\"id\":{i}}}")).ToArray();
        await peer.WriteAsync(all);
        IReadOnlyList<RecordingHandler.Event> events = await handler.WaitForAsync(10);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(i, events[i].State);
            Assert.Equal($"{{\"id\":{i}}}", events[i].Body);
        }
        Assert.Equal(0, connection.InFlight);
    }

    [Fact]
    public async Task Connection_close_mid_pipeline_delivers_that_response_and_fails_the_rest_with_ConnectionLost()
    {
        await using var server = new ScriptedHttpServer();
        await using PipelinedHttpConnection connection = await ConnectAsync(server);
        await using ScriptedConnection peer = await server.AcceptAsync();
        var handler = new RecordingHandler();

        for (int i = 0; i < 3; i++) await SendAsync(connection, handler, i);
        await peer.ReadRequestsAsync(3);
        await peer.WriteAsync(ScriptedHttpServer.Response("{\"id\":0}", extraHeaders: "Connection: close\r\n"));
        peer.Close();

        IReadOnlyList<RecordingHandler.Event> events = await handler.WaitForAsync(3);
        Assert.True(events[0].IsResponse);
        Assert.Equal(0, events[0].State);
        Assert.All(events.Skip(1), e =>
        {
            Assert.Equal(TxOutcome.ConnectionLost, e.Failure);
            Assert.Contains("Connection: close", e.FailureMessage);
        });
        Assert.Equal(new[] { 1, 2 }, events.Skip(1).Select(e => (int)e.State!));
        Assert.True(connection.IsFaulted);
        Assert.Equal(0, connection.InFlight);

        // Sending on a faulted connection fails at once, without touching the network.
        await SendAsync(connection, handler, 9);
        RecordingHandler.Event late = (await handler.WaitForAsync(4))[3];
        Assert.Equal(TxOutcome.ConnectionLost, late.Failure);
        Assert.Equal(9, late.State);
    }

    [Fact]
    public async Task Server_reset_fails_every_request_in_flight_with_ConnectionLost()
    {
        await using var server = new ScriptedHttpServer();
        await using PipelinedHttpConnection connection = await ConnectAsync(server);
        await using ScriptedConnection peer = await server.AcceptAsync();
        var handler = new RecordingHandler();

        await SendAsync(connection, handler, 1);
        await SendAsync(connection, handler, 2);
        await peer.ReadRequestsAsync(2);
        await peer.WriteAsync("HTTP/1.1 200 OK\r\nContent-Le"); // half a response, then a reset
        peer.Reset();

        IReadOnlyList<RecordingHandler.Event> events = await handler.WaitForAsync(2);
        Assert.All(events, e => Assert.Equal(TxOutcome.ConnectionLost, e.Failure));
        Assert.Equal(new[] { 1, 2 }, events.Select(e => (int)e.State!));
        Assert.True(connection.IsFaulted);
    }

    [Fact]
    public async Task Eof_in_the_middle_of_a_body_fails_the_request_with_ConnectionLost()
    {
        await using var server = new ScriptedHttpServer();
        await using PipelinedHttpConnection connection = await ConnectAsync(server);
        await using ScriptedConnection peer = await server.AcceptAsync();
        var handler = new RecordingHandler();

        await SendAsync(connection, handler, 1);
        await peer.ReadRequestAsync();
        await peer.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial\":");
        peer.Close();

        RecordingHandler.Event e = Assert.Single(await handler.WaitForAsync(1));
        Assert.Equal(TxOutcome.ConnectionLost, e.Failure);
        Assert.Contains("in the middle of a response", e.FailureMessage);
    }

    [Fact]
    public async Task Response_timeout_fails_everything_in_flight_and_faults_the_connection()
    {
        await using var server = new ScriptedHttpServer();
        await using PipelinedHttpConnection connection = await ConnectAsync(server, timeout: TimeSpan.FromMilliseconds(300));
        await using ScriptedConnection peer = await server.AcceptAsync();
        var handler = new RecordingHandler();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await SendAsync(connection, handler, 1);
        await SendAsync(connection, handler, 2);
        await peer.ReadRequestsAsync(2); // and never answer

        IReadOnlyList<RecordingHandler.Event> events = await handler.WaitForAsync(2);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        Assert.All(events, e =>
        {
            Assert.Equal(TxOutcome.ConnectionLost, e.Failure);
            Assert.Contains("no response within 0.3 s", e.FailureMessage);
        });
        Assert.True(connection.IsFaulted);
    }

    [Fact]
    public async Task An_https_endpoint_that_accepts_tcp_and_never_answers_the_handshake_is_one_line_naming_tls()
    {
        await using var server = new ScriptedHttpServer(); // accepts, then says nothing
        RpcEndpoint https = RpcEndpoint.Parse($"https://127.0.0.1:{server.Port}/", new RpcConnectOptions { Tls = TlsOptions.SystemTrust });
        var e = await Assert.ThrowsAsync<RpcTransportException>(() =>
            PipelinedHttpConnection.ConnectAsync(https, 4, TimeSpan.FromMilliseconds(300), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal($"cannot connect to {https.Url}: the TLS handshake got no answer within 0.3 s — is it an https endpoint (or a plain http:// one)?", e.Message);
    }

    [Fact]
    public async Task A_response_with_no_request_awaiting_is_a_protocol_error_that_faults_the_connection()
    {
        await using var server = new ScriptedHttpServer();
        await using PipelinedHttpConnection connection = await ConnectAsync(server);
        await using ScriptedConnection peer = await server.AcceptAsync();
        var handler = new RecordingHandler();

        await SendAsync(connection, handler, 1);
        await peer.ReadRequestAsync();
        // Two responses for one request.
        await peer.WriteAsync([.. ScriptedHttpServer.Response("{\"first\":1}"), .. ScriptedHttpServer.Response("{\"extra\":1}")]);

        RecordingHandler.Event e = Assert.Single(await handler.WaitForAsync(1));
        Assert.Equal("{\"first\":1}", e.Body);
        using var wait = new CancellationTokenSource(Timeout);
        while (!connection.IsFaulted) await Task.Delay(10, wait.Token);
        Assert.Contains("no request awaiting", connection.FaultMessage);
    }

    [Theory]
    [InlineData(429, "Too Many Requests", TxOutcome.RateLimited)]
    [InlineData(503, "Service Unavailable", TxOutcome.ServerError)]
    [InlineData(500, "Internal Server Error", TxOutcome.ServerError)]
    public async Task Passes_error_statuses_through_to_the_handler(int status, string reason, TxOutcome expected)
    {
        await using var server = new ScriptedHttpServer();
        await using PipelinedHttpConnection connection = await ConnectAsync(server);
        await using ScriptedConnection peer = await server.AcceptAsync();
        var handler = new RecordingHandler();

        await SendAsync(connection, handler, 1);
        await SendAsync(connection, handler, 2);
        await peer.ReadRequestsAsync(2);
        await peer.WriteAsync([.. ScriptedHttpServer.Response("slow down", status, reason), .. ScriptedHttpServer.Response("{\"ok\":1}")]);

        IReadOnlyList<RecordingHandler.Event> events = await handler.WaitForAsync(2);
        Assert.Equal(status, events[0].Status);
        Assert.Equal("slow down", events[0].Body);
        Assert.Equal(expected, ErrorClassifier.FromHttpStatus(events[0].Status));
        Assert.Equal(200, events[1].Status);
        Assert.False(connection.IsFaulted);
    }

    [Fact]
    public async Task Skips_100_continue_and_delivers_the_final_response()
    {
        await using var server = new ScriptedHttpServer();
        await using PipelinedHttpConnection connection = await ConnectAsync(server);
        await using ScriptedConnection peer = await server.AcceptAsync();
        var handler = new RecordingHandler();

        await SendAsync(connection, handler, 1);
        await peer.ReadRequestAsync();
        await peer.WriteAsync([.. Encoding.ASCII.GetBytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"),
                               .. ScriptedHttpServer.Response("{\"final\":1}")]);
        RecordingHandler.Event e = Assert.Single(await handler.WaitForAsync(1));
        Assert.Equal(200, e.Status);
        Assert.Equal("{\"final\":1}", e.Body);
    }

    [Fact]
    public async Task Reads_headers_case_insensitively_and_a_body_without_length_until_close()
    {
        await using var server = new ScriptedHttpServer();
        await using PipelinedHttpConnection connection = await ConnectAsync(server);
        await using ScriptedConnection peer = await server.AcceptAsync();
        var handler = new RecordingHandler();

        await SendAsync(connection, handler, 1);
        await SendAsync(connection, handler, 2);
        await peer.ReadRequestsAsync(2);
        await peer.WriteAsync("HTTP/1.1 200 OK\r\ncontent-LENGTH:   3\r\nTRANSFER-encoding: identity\r\n\r\n"); // TE without chunked: read until close
        await peer.WriteAsync("abcdef");
        peer.Close();

        IReadOnlyList<RecordingHandler.Event> events = await handler.WaitForAsync(2);
        Assert.Equal("abcdef", events[0].Body);
        Assert.Equal(TxOutcome.ConnectionLost, events[1].Failure);
    }

    [Fact]
    public async Task Waits_for_a_free_slot_when_max_in_flight_is_reached()
    {
        await using var server = new ScriptedHttpServer();
        await using PipelinedHttpConnection connection = await ConnectAsync(server, maxInFlight: 2);
        await using ScriptedConnection peer = await server.AcceptAsync();
        var handler = new RecordingHandler();

        Assert.True(connection.SendAsync(Body(1), handler, 1, CancellationToken.None).IsCompletedSuccessfully);
        Assert.True(connection.SendAsync(Body(2), handler, 2, CancellationToken.None).IsCompletedSuccessfully);
        ValueTask third = connection.SendAsync(Body(3), handler, 3, CancellationToken.None);
        Assert.False(third.IsCompleted);
        Assert.Equal(2, connection.InFlight);

        await peer.ReadRequestsAsync(2);
        await peer.WriteAsync(ScriptedHttpServer.Response("{\"r\":1}"));
        await third.AsTask().WaitAsync(Timeout);
        ScriptedConnection.Request request = await peer.ReadRequestAsync();
        Assert.Contains("\"id\":3,", request.Body);
        Assert.Equal(2, connection.InFlight);

        await peer.WriteAsync([.. ScriptedHttpServer.Response("{\"r\":2}"), .. ScriptedHttpServer.Response("{\"r\":3}")]);
        IReadOnlyList<RecordingHandler.Event> events = await handler.WaitForAsync(3);
        Assert.Equal(new[] { 1, 2, 3 }, events.Select(e => (int)e.State!));
    }

    [Fact]
    public async Task Cancelling_a_send_that_waits_for_a_slot_throws_and_sends_nothing()
    {
        await using var server = new ScriptedHttpServer();
        await using PipelinedHttpConnection connection = await ConnectAsync(server, maxInFlight: 1);
        await using ScriptedConnection peer = await server.AcceptAsync();
        var handler = new RecordingHandler();

        await SendAsync(connection, handler, 1);
        using var cancel = new CancellationTokenSource();
        ValueTask waiting = connection.SendAsync(Body(2), handler, 2, cancel.Token);
        Assert.False(waiting.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.AsTask().WaitAsync(Timeout));

        await peer.ReadRequestAsync();
        await peer.WriteAsync(ScriptedHttpServer.Response("{\"r\":1}"));
        RecordingHandler.Event e = Assert.Single(await handler.WaitForAsync(1));
        Assert.Equal(1, e.State);
        // The connection still works after the cancelled wait.
        await SendAsync(connection, handler, 3);
        ScriptedConnection.Request next = await peer.ReadRequestAsync();
        Assert.Contains("\"id\":3,", next.Body);
    }

    [Fact]
    public async Task Disposal_fails_requests_still_awaiting_and_wakes_a_waiting_sender()
    {
        await using var server = new ScriptedHttpServer();
        PipelinedHttpConnection connection = await ConnectAsync(server, maxInFlight: 1);
        await using ScriptedConnection peer = await server.AcceptAsync();
        var handler = new RecordingHandler();

        await SendAsync(connection, handler, 1);
        ValueTask waiting = connection.SendAsync(Body(2), handler, 2, CancellationToken.None);
        await connection.DisposeAsync().AsTask().WaitAsync(Timeout);
        await waiting.AsTask().WaitAsync(Timeout);

        IReadOnlyList<RecordingHandler.Event> events = await handler.WaitForAsync(2);
        Assert.All(events, e => Assert.Equal(TxOutcome.ConnectionLost, e.Failure));
        Assert.Equal(new[] { 1, 2 }, events.Select(e => (int)e.State!).Order());
        Assert.True(connection.IsFaulted);
        await connection.DisposeAsync(); // twice is fine
    }

    [Fact]
    public async Task Connecting_to_a_closed_port_says_connection_refused_in_one_line()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var endpoint = RpcEndpoint.Parse($"http://127.0.0.1:{port}");
        RpcTransportException e = await Assert.ThrowsAsync<RpcTransportException>(
            () => PipelinedHttpConnection.ConnectAsync(endpoint, 4, Timeout, CancellationToken.None));
        Assert.Equal($"cannot connect to http://127.0.0.1:{port}/: connection refused — is the node running?", e.Message);
    }

    [Fact]
    public async Task A_body_larger_than_the_single_span_limit_is_sent_intact()
    {
        await using var server = new ScriptedHttpServer();
        await using PipelinedHttpConnection connection = await ConnectAsync(server);
        await using ScriptedConnection peer = await server.AcceptAsync();
        var handler = new RecordingHandler();

        string big = "[" + string.Join(",", Enumerable.Range(0, 5000).Select(i => $"{{\"jsonrpc\":\"2.0\",\"id\":{i},\"method\":\"eth_chainId\"}}")) + "]";
        Assert.True(big.Length > 100_000);
        await connection.SendAsync(Encoding.UTF8.GetBytes(big), handler, null, CancellationToken.None);
        ScriptedConnection.Request request = await peer.ReadRequestAsync();
        Assert.Equal(big, request.Body);
        Assert.Contains($"Content-Length: {big.Length}\r\n", request.Head);
    }

    [Fact]
    public async Task A_fault_closes_the_socket()
    {
        await using var server = new ScriptedHttpServer();
        await using PipelinedHttpConnection connection = await ConnectAsync(server, timeout: TimeSpan.FromMilliseconds(200));
        await using ScriptedConnection peer = await server.AcceptAsync();
        var handler = new RecordingHandler();

        await SendAsync(connection, handler, 1);
        await peer.ReadRequestAsync();
        await handler.WaitForAsync(1); // timed out
        // The client closed its side: the server reads EOF, or a reset (the socket is closed with a read pending).
        Exception closed = await Assert.ThrowsAnyAsync<Exception>(peer.ReadRequestAsync);
        Assert.True(closed is EndOfStreamException or SocketException { SocketErrorCode: SocketError.ConnectionReset }, closed.ToString());
    }
}
