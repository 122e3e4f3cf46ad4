using System.Net;
using System.Net.Sockets;
using System.Text;
using FastLoad.Engine.Rpc;

namespace FastLoad.Tests.Rpc;

/// <summary>
/// A raw TCP server on a free loopback port that a test scripts byte by byte: it reads the client's requests and
/// writes exactly the bytes the test gives it (split, delayed, reset or closed as the test wants).
/// </summary>
public sealed class ScriptedHttpServer : IAsyncDisposable
{
    public static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpListener _listener;
    private readonly List<ScriptedConnection> _accepted = [];

    public ScriptedHttpServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        Endpoint = RpcEndpoint.Parse($"http://127.0.0.1:{Port}/");
    }

    public int Port { get; }

    public RpcEndpoint Endpoint { get; }

    public async Task<ScriptedConnection> AcceptAsync()
    {
        using var timeout = new CancellationTokenSource(StepTimeout);
        Socket socket = await _listener.AcceptSocketAsync(timeout.Token);
        socket.NoDelay = true;
        var connection = new ScriptedConnection(socket);
        lock (_accepted) _accepted.Add(connection);
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        ScriptedConnection[] accepted;
        lock (_accepted) accepted = [.. _accepted];
        foreach (ScriptedConnection connection in accepted) await connection.DisposeAsync();
    }

    /// <summary>A <c>Content-Length</c> response.</summary>
    public static byte[] Response(string body, int status = 200, string reason = "OK", string extraHeaders = "") =>
        Encoding.ASCII.GetBytes($"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n{extraHeaders}Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n")
            .Concat(Encoding.UTF8.GetBytes(body)).ToArray();
}

/// <summary>One accepted connection: reads requests, writes scripted bytes.</summary>
public sealed class ScriptedConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _receive = new byte[64 * 1024];
    private readonly MemoryStream _pending = new();

    public ScriptedConnection(Socket socket) => _socket = socket;

    public sealed record Request(string Head, string Body)
    {
        public string RequestLine => Head[..Head.IndexOf("\r\n", StringComparison.Ordinal)];
    }

    /// <summary>Reads one request: the head up to CRLFCRLF, then Content-Length bytes of body.</summary>
    public async Task<Request> ReadRequestAsync()
    {
        using var timeout = new CancellationTokenSource(ScriptedHttpServer.StepTimeout);
        while (true)
        {
            byte[] data = _pending.ToArray();
            int headEnd = data.AsSpan().IndexOf("\r\n\r\n"u8);
            if (headEnd >= 0)
            {
                string head = Encoding.ASCII.GetString(data, 0, headEnd + 4);
                int length = ContentLength(head);
                int total = headEnd + 4 + length;
                if (data.Length >= total)
                {
                    _pending.SetLength(0);
                    _pending.Write(data, total, data.Length - total);
                    return new Request(head, Encoding.UTF8.GetString(data, headEnd + 4, length));
                }
            }
            int read = await _socket.ReceiveAsync(_receive, SocketFlags.None, timeout.Token);
            if (read == 0) throw new EndOfStreamException("the client closed the connection");
            _pending.Write(_receive, 0, read);
        }
    }

    public async Task<Request[]> ReadRequestsAsync(int count)
    {
        var requests = new Request[count];
        for (int i = 0; i < count; i++) requests[i] = await ReadRequestAsync();
        return requests;
    }

    private static int ContentLength(string head)
    {
        foreach (string line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) return int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        return 0;
    }

    public async Task WriteAsync(byte[] bytes)
    {
        using var timeout = new CancellationTokenSource(ScriptedHttpServer.StepTimeout);
        int sent = 0;
        while (sent < bytes.Length) sent += await _socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, timeout.Token);
    }

    public Task WriteAsync(string ascii) => WriteAsync(Encoding.ASCII.GetBytes(ascii));

    /// <summary>Writes each byte in its own send, pausing so each one tends to arrive in its own read.</summary>
    public async Task WriteByteByByteAsync(byte[] bytes, TimeSpan pause)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            await WriteAsync(bytes.AsSpan(i, 1).ToArray());
            if (pause > TimeSpan.Zero) await Task.Delay(pause);
        }
    }

    /// <summary>Waits until at least <paramref name="bytes"/> bytes of requests have arrived (kept for <see cref="ReadRequestAsync"/>).</summary>
    public async Task WaitForBytesAsync(int bytes)
    {
        using var timeout = new CancellationTokenSource(ScriptedHttpServer.StepTimeout);
        while (_pending.Length < bytes)
        {
            int read = await _socket.ReceiveAsync(_receive, SocketFlags.None, timeout.Token);
            if (read == 0) throw new EndOfStreamException("the client closed the connection");
            _pending.Write(_receive, 0, read);
        }
    }

    /// <summary>Closes with a TCP reset (SO_LINGER 0).</summary>
    public void Reset()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }

    /// <summary>Closes gracefully (FIN).</summary>
    public void Close()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        _socket.Close();
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _pending.Dispose();
        return ValueTask.CompletedTask;
    }
}
