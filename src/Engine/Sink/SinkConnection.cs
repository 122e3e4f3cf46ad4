using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;

namespace FastLoad.Engine.Sink;

/// <summary>
/// One client connection of the sink: read what arrived, answer every complete request in it in
/// order, add the counts once, flush once. HTTP parsing is in <c>SinkConnection.Http.cs</c>.
/// </summary>
internal sealed partial class SinkConnection
{
    private const int ReadBufferSize = 64 * 1024;

    private readonly SinkServer _server;
    private readonly Socket _socket;
    private Stream _stream;       // the socket's NetworkStream, or an SslStream over it once the TLS handshake is done
    private PipeReader _input = null!;
    private PipeWriter _output = null!;
    private readonly SinkRpcProcessor _processor;
    private readonly PooledBuffer _body = new(4 * 1024);   // a body that arrived in several segments, or chunked
    private readonly int _maxBodyBytes;

    // Counted since the last commit to the server's totals.
    private int _accepted, _rejected, _requests;

    public SinkConnection(SinkServer server, Socket socket)
    {
        _server = server;
        _socket = socket;
        _maxBodyBytes = server.Options.MaxBodyBytes;
        _stream = new NetworkStream(socket, ownsSocket: true);
        if (server.Options.TlsCertificate is null) OpenPipes();
        _processor = new SinkRpcProcessor(server.Results);
        _deferPosts = server.Options.Faults is not null || server.Options.Upstream is not null;
    }

    private void OpenPipes()
    {
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: ReadBufferSize, minimumReadSize: 4096, leaveOpen: true));
        _output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: ReadBufferSize, leaveOpen: true));
    }

    /// <summary>Server side of the TLS handshake (bounded to 10 s); false when the client gave up or spoke no TLS.</summary>
    private async Task<bool> HandshakeAsync()
    {
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = _server.TlsContext,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
                ClientCertificateRequired = false,
            }, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException or OperationCanceledException or SocketException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            _server.Counters.AddTlsFailure();
            _server.Remove(this);
            _processor.Dispose();
            _body.Dispose();
            return false;
        }
        _stream = ssl;
        OpenPipes();
        return true;
    }

    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Start() => Completion = RunAsync();

    /// <summary>Closes the socket: a pending read ends and the loop exits.</summary>
    public void Abort()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // already closed
        }
        _socket.Dispose();
    }

    private async Task RunAsync()
    {
        await Task.Yield();   // leave the accept loop at once
        if (_server.TlsContext is not null && !await HandshakeAsync().ConfigureAwait(false)) return;
        try
        {
            while (true)
            {
                ReadResult read = await _input.ReadAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = read.Buffer;
                bool close = AnswerAll(ref buffer, out bool wrote);
                byte[]? deferred = _deferred;
                // A deferred request stops the parse: what follows it is examined again on the next read.
                if (deferred is null) _input.AdvanceTo(buffer.Start, buffer.End);
                else _input.AdvanceTo(buffer.Start);
                _server.Counters.Add(_accepted, _rejected, _requests);
                _accepted = _rejected = _requests = 0;
                if (wrote)
                {
                    ValueTask<FlushResult> flush = _output.FlushAsync();
                    FlushResult flushed = flush.IsCompletedSuccessfully ? flush.Result : await flush.ConfigureAwait(false);
                    if (flushed.IsCompleted) break;
                }
                if (deferred is not null)
                {
                    _deferred = null;
                    close = await AnswerDeferredAsync(deferred, keepAlive: !close).ConfigureAwait(false);
                    if (close) break;
                    continue;
                }
                if (close || read.IsCompleted) break;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // the client went away, or the server is stopping
        }
        finally
        {
            await _input.CompleteAsync().ConfigureAwait(false);
            try
            {
                await _output.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                // the last bytes could not be sent
            }
            _stream.Dispose();
            _processor.Dispose();
            _body.Dispose();
            _server.Remove(this);
        }
    }

    /// <summary>
    /// Answers every complete request at the start of <paramref name="buffer"/> and slices them off;
    /// true when the connection must close after the flush.
    /// </summary>
    private bool AnswerAll(ref ReadOnlySequence<byte> buffer, out bool wrote)
    {
        wrote = false;
        while (true)
        {
            HttpStep step = ReadRequest(ref buffer, out ReadOnlySpan<byte> body);
            switch (step)
            {
                case HttpStep.NeedMore:
                    if (_sendContinue)
                    {
                        _sendContinue = false;
                        _output.Write("HTTP/1.1 100 Continue\r\n\r\n"u8);
                        wrote = true;
                    }
                    return false;
                case HttpStep.Request:
                    _requests++;
                    wrote = true;
                    if (_isPost && _deferPosts)
                    {
                        // Faults or proxy: answered on the async path (SinkConnection.Faults.cs), one request at a time.
                        _deferred = body.ToArray();
                        return !_keepAlive;
                    }
                    if (_isPost)
                    {
                        ReadOnlySpan<byte> answer = _processor.Process(body);
                        _accepted += _processor.Accepted;
                        _rejected += _processor.Rejected;
                        WriteResponse("200 OK"u8, answer, close: !_keepAlive);
                    }
                    else
                    {
                        // No body, so that a HEAD request is answered correctly too.
                        WriteResponse("405 Method Not Allowed\r\nAllow: POST"u8, default, close: !_keepAlive);
                    }
                    if (!_keepAlive) return true;
                    break;
                default:
                    wrote = true;
                    WriteError(step);
                    return true;
            }
        }
    }

    private void WriteResponse(ReadOnlySpan<byte> status, ReadOnlySpan<byte> body, bool close)
    {
        // "HTTP/1.1 " 9 + status + CRLF 2 + "Content-Type: application/json\r\n" 32
        // + "Content-Length: " 16 + ≤ 10 digits + "\r\nConnection: keep-alive" 24 + CRLF CRLF 4
        Span<byte> span = _output.GetSpan(97 + status.Length);
        int n = Append(span, 0, "HTTP/1.1 "u8);
        n = Append(span, n, status);
        n = Append(span, n, "\r\nContent-Type: application/json\r\nContent-Length: "u8);
        body.Length.TryFormat(span[n..], out int digits);
        n += digits;
        if (close) n = Append(span, n, "\r\nConnection: close"u8);
        else if (!_http11) n = Append(span, n, "\r\nConnection: keep-alive"u8);   // an HTTP/1.0 client that asked for it
        n = Append(span, n, "\r\n\r\n"u8);
        _output.Advance(n);
        _output.Write(body);
    }

    private static int Append(Span<byte> span, int at, ReadOnlySpan<byte> text)
    {
        text.CopyTo(span[at..]);
        return at + text.Length;
    }
}
