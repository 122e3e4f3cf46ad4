using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;

namespace FastLoad.Engine.Sink;

/// <summary>
/// The fault and proxy path: with <see cref="SinkOptions.Faults"/> or <see cref="SinkOptions.Upstream"/> set, each POST
/// is copied out of the read buffer and answered here, asynchronously and one at a time, so a request can be delayed,
/// forwarded or end in a reset. The plain sink never comes here.
/// </summary>
internal sealed partial class SinkConnection
{
    private readonly bool _deferPosts;
    private byte[]? _deferred;   // the POST body to answer on this path, set by AnswerAll

    /// <summary>Answers one deferred POST (faults drawn, processed or forwarded); true when the connection must close.</summary>
    private async Task<bool> AnswerDeferredAsync(byte[] body, bool keepAlive)
    {
        SinkServer server = _server;
        SinkFaultPlan? plan = server.Options.Faults;
        long number = server.NextRequestNumber();
        int ruleIndex = plan?.DrawRequest(number) ?? -1;
        SinkFaultRule? rule = ruleIndex >= 0 ? plan!.Requests[ruleIndex] : null;

        // Faults before the request is processed or forwarded: nothing reaches the node.
        switch (rule?.Kind)
        {
            case SinkFaultKind.TooManyRequests:
                server.Faults!.AddRequestFault(ruleIndex);
                WriteHead("429 Too Many Requests", rule.RetryAfterSeconds, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32005,\"message\":\"rate limit exceeded\"}}"u8, !keepAlive);
                return await FlushAsync().ConfigureAwait(false) || !keepAlive;
            case SinkFaultKind.InternalError:
                server.Faults!.AddRequestFault(ruleIndex);
                WriteHead("500 Internal Server Error", null, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32603,\"message\":\"internal error\"}}"u8, !keepAlive);
                return await FlushAsync().ConfigureAwait(false) || !keepAlive;
            case SinkFaultKind.Unavailable:
                server.Faults!.AddRequestFault(ruleIndex);
                WriteHead("503 Service Unavailable", rule.RetryAfterSeconds, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32603,\"message\":\"service unavailable\"}}"u8, !keepAlive);
                return await FlushAsync().ConfigureAwait(false) || !keepAlive;
            case SinkFaultKind.ResetBefore:
                server.Faults!.AddRequestFault(ruleIndex);
                Reset();
                return true;
        }

        SinkExchange.Reply reply = await SinkExchange.AnswerAsync(server, _processor, body, number).ConfigureAwait(false);
        server.Counters.Add(reply.Accepted, reply.Rejected, 0);
        byte[] answer = reply.Body;

        // Faults after: the request was processed (or forwarded), so its txs did reach the node.
        switch (rule?.Kind)
        {
            case SinkFaultKind.ResetAfter:
                server.Faults!.AddRequestFault(ruleIndex);
                Reset();
                return true;
            case SinkFaultKind.Cut:
                server.Faults!.AddRequestFault(ruleIndex);
                WriteHead(reply.StatusLine, null, answer.AsSpan(0, answer.Length / 2), close: false, contentLength: answer.Length);
                await FlushAsync().ConfigureAwait(false);
                try
                {
                    _socket.Shutdown(SocketShutdown.Send);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    // already gone
                }
                return true;
            case SinkFaultKind.Slow:
                server.Faults!.AddRequestFault(ruleIndex);
                await Task.Delay(rule.Delay).ConfigureAwait(false);
                break;
            case SinkFaultKind.Malformed:
                server.Faults!.AddRequestFault(ruleIndex);
                answer = SinkExchange.Malformed(answer);
                break;
            case SinkFaultKind.MissingIds:
                if (SinkExchange.DropIds(answer, plan!.Seed, number) is byte[] fewer)
                {
                    server.Faults!.AddRequestFault(ruleIndex);
                    answer = fewer;
                }
                break;
            case SinkFaultKind.ExtraIds:
                if (SinkExchange.AddUnknownId(answer) is byte[] more)
                {
                    server.Faults!.AddRequestFault(ruleIndex);
                    answer = more;
                }
                break;
        }
        WriteHead(reply.StatusLine, null, answer, !keepAlive);
        return await FlushAsync().ConfigureAwait(false) || !keepAlive;
    }

    /// <summary>A response head (and <paramref name="body"/>); <paramref name="contentLength"/> may promise more than is sent (the cut fault).</summary>
    private void WriteHead(string status, int? retryAfter, ReadOnlySpan<byte> body, bool close, int contentLength = -1)
    {
        var head = new StringBuilder(160);
        head.Append("HTTP/1.1 ").Append(status).Append("\r\nContent-Type: application/json\r\nContent-Length: ")
            .Append((contentLength < 0 ? body.Length : contentLength).ToString(CultureInfo.InvariantCulture));
        if (retryAfter is int seconds) head.Append("\r\nRetry-After: ").Append(seconds.ToString(CultureInfo.InvariantCulture));
        if (close) head.Append("\r\nConnection: close");
        else if (!_http11) head.Append("\r\nConnection: keep-alive");
        head.Append("\r\n\r\n");
        _output.Write(Encoding.ASCII.GetBytes(head.ToString()));
        _output.Write(body);
    }

    /// <summary>Flushes; true when the client has gone.</summary>
    private async ValueTask<bool> FlushAsync()
    {
        FlushResult flushed = await _output.FlushAsync().ConfigureAwait(false);
        return flushed.IsCompleted;
    }

    /// <summary>Closes with RST (linger 0): the client sees "connection reset by peer".</summary>
    private void Reset()
    {
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // already gone
        }
        _socket.Dispose();
    }
}
