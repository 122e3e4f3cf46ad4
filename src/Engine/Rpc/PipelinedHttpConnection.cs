using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace FastLoad.Engine.Rpc;

/// <summary>
/// One keep-alive HTTP/1.1 connection to a JSON-RPC node with pipelining: up to <see cref="MaxInFlight"/> requests
/// are written back to back without waiting, and responses are matched to requests by order.
/// </summary>
/// <remarks>
/// <para>Send side (<c>.Write.cs</c>): a request reserves a slot and joins a FIFO of awaiting requests under a lock,
/// then its head and body are written into the <see cref="PipeWriter"/> and flushed, all while holding the send lock,
/// so the order of bytes on the wire is the order of the FIFO.</para>
/// <para>Read side (<c>.Read.cs</c>): one reader loop parses responses (content-length, chunked, or until close) and
/// hands each one to the handler at the head of the FIFO.</para>
/// <para>Any failure — EOF, reset, <c>Connection: close</c>, a response timeout, a protocol error, disposal — faults the
/// connection: every awaiting request gets <see cref="IRpcResponseHandler.OnFailure"/> with
/// <see cref="TxOutcome.ConnectionLost"/>, and later sends fail the same way without touching the network. A faulted
/// connection is never reused: dispose it and connect a new one.</para>
/// <para>Allocation: in steady state a request allocates nothing — sent at once, or after waiting for a slot — as
/// long as one sender at a time calls <see cref="SendAsync"/> (the shape of a sender loop). Concurrent senders are
/// correct but queue on a <see cref="SemaphoreSlim"/>, which allocates when contended.</para>
/// </remarks>
public sealed partial class PipelinedHttpConnection : IAsyncDisposable
{
    /// <summary>The largest response body accepted (content-length or de-chunked); larger is a protocol error.</summary>
    public const long MaxResponseBodyBytes = 64L << 20;

    private readonly RpcEndpoint _endpoint;
    private readonly Socket _socket;
    private readonly Stream _stream; // the socket's NetworkStream, or an SslStream over it for https
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly int _maxInFlight;
    private readonly TimeSpan _responseTimeout;
    private readonly long _responseTimeoutTicks;
    private readonly Timer _timer;
    private readonly Task _readLoop;

    // The FIFO of requests awaiting a response, a preallocated ring; guarded by _sync.
    private readonly object _sync = new();
    private readonly PendingRequest[] _ring;
    private int _head;
    private int _count;
    private volatile bool _faulted;
    private bool _timedOut;
    private string? _faultMessage;
    private int _disposed;

    private PipelinedHttpConnection(RpcEndpoint endpoint, Socket socket, Stream stream, int maxInFlight, TimeSpan responseTimeout)
    {
        _endpoint = endpoint;
        _socket = socket;
        _maxInFlight = maxInFlight;
        _responseTimeout = responseTimeout;
        _responseTimeoutTicks = (long)(responseTimeout.TotalSeconds * Stopwatch.Frequency);
        _ring = new PendingRequest[maxInFlight];
        _stream = stream;
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 2048, leaveOpen: true));
        _writer = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024, leaveOpen: true));
        TimeSpan period = TimeSpan.FromTicks(Math.Clamp(responseTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 5, TimeSpan.TicksPerSecond));
        _timer = new Timer(static s => ((PipelinedHttpConnection)s!).CheckResponseTimeout(), this, period, period);
        _readLoop = Task.Run(ReadLoopAsync);
    }

    public RpcEndpoint Endpoint => _endpoint;

    public int MaxInFlight => _maxInFlight;

    public TimeSpan ResponseTimeout => _responseTimeout;

    /// <summary>Requests written (or being written) that have no response yet.</summary>
    public int InFlight => Volatile.Read(ref _count);

    /// <summary>The connection failed or was disposed; it will never send again.</summary>
    public bool IsFaulted => _faulted;

    /// <summary>The connection failed because the node gave no answer within the response timeout (it is silent, not gone).</summary>
    public bool TimedOut => Volatile.Read(ref _timedOut);

    /// <summary>
    /// The <c>Retry-After</c> (delta-seconds) of the response being handed to <see cref="IRpcResponseHandler.OnResponse"/>,
    /// or -1 when it had none: read it inside that call, on the reader loop.
    /// </summary>
    public int ResponseRetryAfterSeconds => _deliveredRetryAfter;

    /// <summary>Why the connection faulted (one line), or null.</summary>
    public string? FaultMessage => Volatile.Read(ref _faultMessage);

    /// <summary>
    /// Connects to <paramref name="endpoint"/> (each resolved address in turn) with <c>TCP_NODELAY</c>, and for https
    /// runs the TLS handshake (SNI = host, certificate checked as <see cref="RpcEndpoint.Tls"/> says); the pipes then
    /// read and write through the <see cref="SslStream"/>. Throws <see cref="RpcTransportException"/> with a one-line
    /// message if it cannot, e.g. "cannot connect to http://127.0.0.1:1234/: connection refused — is the node running?"
    /// or, for a certificate it does not trust, one naming --ca-cert and --insecure.
    /// The connect attempt (and handshake) is bounded by <paramref name="responseTimeout"/> as well as <paramref name="ct"/>.
    /// </summary>
    /// <param name="maxInFlight">How many requests may await a response at once; <see cref="SendAsync"/> waits beyond that.</param>
    /// <param name="responseTimeout">If the oldest request in flight has no response after this long, the connection faults.</param>
    public static async Task<PipelinedHttpConnection> ConnectAsync(RpcEndpoint endpoint, int maxInFlight, TimeSpan responseTimeout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(responseTimeout, TimeSpan.Zero);

        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        connectTimeout.CancelAfter(responseTimeout);
        string? failure = null;
        foreach (IPAddress address in endpoint.Addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            bool tcpUp = false;
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), connectTimeout.Token).ConfigureAwait(false);
                tcpUp = true;
                var network = new NetworkStream(socket, ownsSocket: true);
                Stream stream = endpoint.Tls is TlsOptions tls ? await HandshakeAsync(endpoint, tls, network, connectTimeout.Token).ConfigureAwait(false) : network;
                return new PipelinedHttpConnection(endpoint, socket, stream, maxInFlight, responseTimeout);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                failure ??= DescribeSocketError(e.SocketErrorCode);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                socket.Dispose();
                failure ??= tcpUp
                    ? $"the TLS handshake got no answer within {responseTimeout.TotalSeconds:0.#} s — is it an https endpoint (or a plain http:// one)?"
                    : $"timed out after {responseTimeout.TotalSeconds:0.#} s — is the host reachable and the port open?";
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw new RpcTransportException($"cannot connect to {endpoint.Url}: {failure ?? "no address to connect to"}");
    }

    /// <summary>The TLS handshake over a connected socket; on failure the socket is closed and the exception says why in one line.</summary>
    private static async Task<SslStream> HandshakeAsync(RpcEndpoint endpoint, TlsOptions tls, NetworkStream network, CancellationToken ct)
    {
        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        var verdict = new CertificateVerdict();
        try
        {
            await ssl.AuthenticateAsClientAsync(tls.ClientOptions(endpoint.Host, verdict), ct).ConfigureAwait(false);
            return ssl;
        }
        catch (AuthenticationException e)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new RpcTransportException(verdict.Problem is string problem
                ? $"cannot connect to {endpoint.Url}: TLS handshake refused: {problem} — pass --ca-cert FILE with the CA that signed it (PEM), or --insecure to skip the check (test endpoints only)"
                : $"cannot connect to {endpoint.Url}: TLS handshake failed ({OneLine(e)}) — is it an https:// endpoint? (use http:// for a plain one)");
        }
        catch (IOException e)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new RpcTransportException($"cannot connect to {endpoint.Url}: the connection closed during the TLS handshake ({OneLine(e)}) — is it an https:// endpoint? (use http:// for a plain one)");
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static string OneLine(Exception e)
    {
        string text = (e.InnerException is { } inner && inner.Message.Length > 0 ? inner.Message : e.Message).ReplaceLineEndings(" ").TrimEnd('.');
        return text.Length > 160 ? text[..160] + "…" : text;
    }

    /// <summary>The end of a one-line message for a socket error: what happened and what to check.</summary>
    public static string DescribeSocketError(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "connection refused — is the node running?",
        SocketError.TimedOut => "timed out — is the host reachable and the port open?",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostNotFound =>
            "host unreachable — check the address and the network",
        SocketError.ConnectionReset => "connection reset by the server",
        SocketError.ConnectionAborted or SocketError.OperationAborted => "connection aborted",
        SocketError.AddressNotAvailable => "address not available — check the address",
        _ => $"socket error {error} — is the node running and reachable?",
    };

    /// <summary>Fails everything still awaiting (<see cref="TxOutcome.ConnectionLost"/>), closes the socket and stops the reader. Never hangs.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Fault($"{_endpoint.Url}: the connection was disposed");
        await _timer.DisposeAsync().ConfigureAwait(false);
        bool readerStopped = await WaitQuietly(_readLoop, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        // The writer is not thread-safe: complete it only when no send holds it.
        if (await _sendLock.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false))
        {
            try
            {
                _writer.Complete();
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
            {
                // Complete flushes what is buffered; on a reset or already closed socket that fails, and disposing must not throw.
            }
            finally
            {
                _sendLock.Release();
            }
        }
        await _stream.DisposeAsync().ConfigureAwait(false);
        if (readerStopped) ReturnParserBuffers();
    }

    private static async Task<bool> WaitQuietly(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (Exception)
        {
            return true;
        }
    }

    /// <summary>
    /// Marks the connection failed, fails every awaiting request with <see cref="TxOutcome.ConnectionLost"/> and
    /// closes the socket. Idempotent; callable from any thread.
    /// </summary>
    private void Fault(string message)
    {
        PendingRequest[]? failed = null;
        SendOperation? waiting;
        lock (_sync)
        {
            if (_faulted) return;
            _faulted = true;
            _faultMessage = message;
            if (_count > 0)
            {
                failed = new PendingRequest[_count];
                for (int i = 0; i < failed.Length; i++)
                {
                    int index = (_head + i) % _ring.Length;
                    failed[i] = _ring[index];
                    _ring[index] = default;
                }
                _count = 0;
            }
            waiting = TakeWaitingSend();
        }

        try
        {
            _timer.Change(Timeout.Infinite, Timeout.Infinite);
        }
        catch (ObjectDisposedException)
        {
        }
        try
        {
            _socket.Dispose(); // the reader loop and any write in progress fail at once
            _reader.CancelPendingRead();
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
        }
        Resume(waiting); // it finds the connection faulted and fails its request

        if (failed is null) return;
        foreach (PendingRequest request in failed)
        {
            try
            {
                request.Handler.OnFailure(TxOutcome.ConnectionLost, message, request.State);
            }
            catch (Exception e)
            {
                Trace.TraceError($"{_endpoint.Url}: a response handler threw from OnFailure: {e}");
            }
        }
    }

    private void CheckResponseTimeout()
    {
        int inFlight;
        lock (_sync)
        {
            if (_faulted || _count == 0) return;
            if (Stopwatch.GetTimestamp() - _ring[_head].SentAt < _responseTimeoutTicks) return;
            inFlight = _count;
            Volatile.Write(ref _timedOut, true);
        }
        Fault($"{_endpoint.Url}: no response within {_responseTimeout.TotalSeconds:0.###} s ({inFlight} request(s) in flight) — the node is stalled or overloaded");
    }

    private readonly struct PendingRequest(IRpcResponseHandler handler, object? state, long sentAt)
    {
        public readonly IRpcResponseHandler Handler = handler;
        public readonly object? State = state;

        /// <summary><see cref="Stopwatch.GetTimestamp"/> when the request joined the FIFO.</summary>
        public readonly long SentAt = sentAt;
    }
}
