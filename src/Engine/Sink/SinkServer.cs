using System.Net;
using System.Net.Sockets;

namespace FastLoad.Engine.Sink;

/// <summary>
/// The null sink: a JSON-RPC-over-HTTP/1.1 endpoint that accepts every well-formed transaction and
/// answers its hash, so a load run can measure FastLoad's own ceiling instead of a node's.
/// </summary>
/// <remarks>
/// <para>A socket and <see cref="System.IO.Pipelines"/> server, no ASP.NET: each connection is one
/// loop that reads what arrived, answers every complete request in it in order (keep-alive and
/// pipelining; <c>Content-Length</c> and chunked bodies) and flushes once. The work per request is in
/// <see cref="SinkRpcProcessor"/>.</para>
/// <para>In-process use: <c>await using var sink = SinkServer.Start(new SinkOptions { Port = 0 });</c>
/// then talk to <see cref="Url"/>. <see cref="Start"/> throws <see cref="SocketException"/> when the port
/// cannot be bound (<see cref="SocketError.AddressAlreadyInUse"/> for a port in use).</para>
/// </remarks>
public sealed class SinkServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly SinkResults _results;
    private readonly HashSet<SinkConnection> _connections = [];
    private readonly Task _acceptLoop;
    private int _stopped;
    private long _requestNumber;

    private SinkServer(Socket listener, SinkOptions options)
    {
        _listener = listener;
        Options = options;
        _results = new SinkResults(options.ChainId);
        EndPoint = (IPEndPoint)listener.LocalEndPoint!;
        if (options.Faults is not null) Faults = new SinkFaultCounts(options.Faults);
        if (options.Upstream is not null) Upstream = new SinkUpstream(options.Upstream, options.UpstreamTimeout);
        if (options.TlsCertificate is { } certificate)
            TlsContext = System.Net.Security.SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
        _acceptLoop = AcceptLoopAsync();
    }

    public SinkOptions Options { get; }

    /// <summary>The bound address and port (the real port when <see cref="SinkOptions.Port"/> was 0).</summary>
    public IPEndPoint EndPoint { get; }

    public int Port => EndPoint.Port;

    /// <summary><c>http://127.0.0.1:PORT/</c>, or https with <see cref="SinkOptions.TlsCertificate"/> (IPv6 addresses in brackets).</summary>
    public Uri Url => new($"{(TlsContext is null ? "http" : "https")}://{(EndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{EndPoint.Address}]" : EndPoint.Address.ToString())}:{EndPoint.Port}/");

    public SinkCounters Counters { get; } = new();

    /// <summary>The server certificate, built once for every handshake; null for plain HTTP.</summary>
    internal System.Net.Security.SslStreamCertificateContext? TlsContext { get; }

    internal SinkResults Results => _results;

    /// <summary>Faults injected so far, per rule; null without <see cref="SinkOptions.Faults"/>.</summary>
    public SinkFaultCounts? Faults { get; }

    internal SinkUpstream? Upstream { get; }

    /// <summary>Numbers the requests of the fault and proxy path, 0, 1, 2… across connections: the fault draws' input.</summary>
    internal long NextRequestNumber() => Interlocked.Increment(ref _requestNumber) - 1;

    /// <summary>Binds, listens and starts accepting connections.</summary>
    /// <exception cref="SocketException">The address or port cannot be bound.</exception>
    /// <exception cref="ArgumentException">A non-loopback address without <see cref="SinkOptions.AllowNonLoopback"/>.</exception>
    public static SinkServer Start(SinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!IPAddress.IsLoopback(options.Address) && !options.AllowNonLoopback)
        {
            throw new ArgumentException($"{options.Address} is not a loopback address; set AllowNonLoopback to listen on it", nameof(options));
        }
        if (options.TlsCertificate is { HasPrivateKey: false })
            throw new ArgumentException("the TLS certificate has no private key: give one with its key", nameof(options));
        if (options.Port is < 0 or > IPEndPoint.MaxPort) throw new ArgumentOutOfRangeException(nameof(options), $"port {options.Port} is not in 0..65535");
        if (options.Upstream is { } upstream && (!upstream.IsAbsoluteUri || upstream.Scheme is not ("http" or "https")))
            throw new ArgumentException($"upstream {upstream} is not an http:// or https:// URL", nameof(options));
        var listener = new Socket(options.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (options.Address.Equals(IPAddress.IPv6Any)) listener.DualMode = true;
            listener.Bind(new IPEndPoint(options.Address, options.Port));
            listener.Listen(1024);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        return new SinkServer(listener, options);
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (Volatile.Read(ref _stopped) != 0) return;
                if (e is SocketException) continue;   // a connection reset before it was accepted
                return;
            }
            socket.NoDelay = true;
            var connection = new SinkConnection(this, socket);
            lock (_connections)
            {
                if (_stopped != 0)
                {
                    socket.Dispose();
                    return;
                }
                _connections.Add(connection);
            }
            Counters.AddConnection();
            connection.Start();
        }
    }

    internal void Remove(SinkConnection connection)
    {
        lock (_connections) _connections.Remove(connection);
    }

    /// <summary>Stops accepting, closes every connection and waits (briefly) for their loops to end.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        _listener.Dispose();
        SinkConnection[] open;
        lock (_connections) open = [.. _connections];
        var loops = new Task[open.Length + 1];
        for (int i = 0; i < open.Length; i++)
        {
            open[i].Abort();
            loops[i] = open[i].Completion;
        }
        loops[^1] = _acceptLoop;
        try
        {
            await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A loop that has not noticed its closed socket yet (timeout), or one that failed: every
            // socket is closed either way, and stopping must not throw.
        }
        Upstream?.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
