using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FastLoad.Tests.Sink;

/// <summary>What one POST came to, as seen on the wire.</summary>
public enum RawOutcome
{
    /// <summary>A whole response (status, headers, Content-Length body).</summary>
    Response,

    /// <summary>The connection was reset (RST) before a response.</summary>
    Reset,

    /// <summary>The server closed the connection (FIN) in the middle of the body.</summary>
    Cut,

    /// <summary>The server closed the connection before any response byte.</summary>
    Closed,
}

public sealed record RawResponse(RawOutcome Outcome, int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body, TimeSpan Elapsed)
{
    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A minimal HTTP/1.1 client over a raw socket, so a test sees exactly what the sink did: a reset, a cut body, a status.
/// HttpClient would retry some failures on a new connection by itself and hide them. Keep-alive; reconnects after a
/// failure or <c>Connection: close</c>. Bounded: every read waits at most 10 s.
/// </summary>
public sealed class RawHttpClient(Uri url) : IDisposable
{
    private Socket? _socket;
    private readonly byte[] _buffer = new byte[256 * 1024];
    private int _start, _end;

    public async Task<RawResponse> PostAsync(string json)
    {
        var clock = Stopwatch.StartNew();
        if (_socket is null)
        {
            _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await _socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(url.Host), url.Port));
            _start = _end = 0;
        }
        byte[] body = Encoding.UTF8.GetBytes(json);
        byte[] head = Encoding.ASCII.GetBytes($"POST {url.AbsolutePath} HTTP/1.1\r\nHost: {url.Authority}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");
        try
        {
            await _socket.SendAsync(head.Concat(body).ToArray());
            // Head.
            int headEnd;
            while ((headEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (!await FillAsync()) return Fail(_end == _start ? RawOutcome.Closed : RawOutcome.Cut, clock);
            }
            string[] lines = Encoding.ASCII.GetString(_buffer, _start, headEnd).Split("\r\n");
            int status = int.Parse(lines[0].Split(' ')[1]);
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string line in lines.Skip(1))
            {
                int colon = line.IndexOf(':');
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
            _start += headEnd + 4;
            int length = int.Parse(headers["Content-Length"]);
            while (_end - _start < length)
            {
                if (!await FillAsync()) return Fail(RawOutcome.Cut, clock);
            }
            byte[] content = _buffer.AsSpan(_start, length).ToArray();
            _start += length;
            if (headers.TryGetValue("Connection", out string? connection) && connection.Equals("close", StringComparison.OrdinalIgnoreCase)) Drop();
            return new RawResponse(RawOutcome.Response, status, headers, content, clock.Elapsed);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown)
        {
            return Fail(RawOutcome.Reset, clock);
        }
    }

    private RawResponse Fail(RawOutcome outcome, Stopwatch clock)
    {
        Drop();
        return new RawResponse(outcome, 0, new Dictionary<string, string>(), [], clock.Elapsed);
    }

    /// <summary>Reads more into the buffer; false at EOF.</summary>
    private async Task<bool> FillAsync()
    {
        if (_start > 0 && _start == _end) _start = _end = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int read = await _socket!.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, timeout.Token);
        _end += read;
        return read > 0;
    }

    private void Drop()
    {
        _socket?.Dispose();
        _socket = null;
    }

    public void Dispose() => Drop();
}
