using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Shapes;

namespace FastLoad.Engine.Reads;

/// <summary>
/// One node's read traffic (<c>--read-rate</c>): reads due on a smooth schedule (the constant shape's tokens, so
/// each read's latency counts from when it was due), each one JSON-RPC request on a keep-alive connection of its
/// own, pipelined, apart from the tx senders' connections so reads never wait behind tx batches or hold them up.
/// Requests are pooled objects with their own body buffer, written in place: nothing is allocated per read.
/// </summary>
public sealed class ReadSender : IRpcResponseHandler
{
    private sealed class Request
    {
        public readonly byte[] Body = new byte[ReadRequestWriter.MaxLength];
        public int Length;
        public long Id;
        public ReadMethod Method;
        public long IntendedTicks;
        public long SentTicks;
    }

    private struct EntrySink(ReadSender sender, Request request) : IRpcEntrySink
    {
        public bool Seen;
        public ReadOutcome Outcome;
        public int ErrorId;

        public void OnResult(long id, ReadOnlySpan<byte> resultRaw)
        {
            if (id != request.Id || Seen) return;
            Seen = true;
            Outcome = ReadOutcome.Ok;
        }

        public void OnError(long id, int code, ReadOnlySpan<byte> message)
        {
            if ((id != request.Id && id != JsonRpcResponseReader.NoId) || Seen) return;
            Seen = true;
            Outcome = ReadOutcome.Error;
            ErrorId = sender._recorder.InternError(ReadOutcome.Error, message);
        }
    }

    private readonly RpcEndpoint _endpoint;
    private readonly int _node;
    private readonly ReadMethod _method;
    private readonly ReadTargets _targets;
    private readonly ArrivalSchedule _schedule;
    private readonly ReadRecorder _recorder;
    private readonly int _pipelining;
    private readonly TimeSpan _responseTimeout;
    private readonly Stack<Request> _pool = new();
    private PipelinedHttpConnection? _connection;
    private long _walletTurn;
    private long _receiptTurn;
    private int _inFlight;
    private long _unsent;

    /// <param name="schedule">This node's share of the read rate (e.g. a constant shape's <see cref="LoadShape.ForNode"/>).</param>
    /// <param name="pipelining">Reads in flight on the connection at once; beyond it a due read waits (and its latency shows it).</param>
    public ReadSender(RpcEndpoint endpoint, int node, ReadMethod method, ReadTargets targets, ArrivalSchedule schedule, ReadRecorder recorder,
        int pipelining = 32, TimeSpan? responseTimeout = null)
    {
        _endpoint = endpoint;
        _node = node;
        _method = method;
        _targets = targets;
        _schedule = schedule;
        _recorder = recorder;
        _pipelining = pipelining;
        _responseTimeout = responseTimeout ?? TimeSpan.FromSeconds(30);
    }

    /// <summary>Reads sent and not answered yet.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Reads that were due before sending stopped but never went out.</summary>
    public long Unsent => Volatile.Read(ref _unsent);

    /// <summary>
    /// Sends due reads until <paramref name="stop"/> fires or the clock reaches <paramref name="stopAtTicks"/>, then waits
    /// for the answers in flight (at most <paramref name="drainTimeout"/>, or until <paramref name="abort"/>).
    /// </summary>
    public async Task RunAsync(long startTicks, long stopAtTicks, TimeSpan drainTimeout, CancellationToken stop, CancellationToken abort = default)
    {
        try
        {
            await SendLoopAsync(startTicks, stopAtTicks, stop, abort).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested || abort.IsCancellationRequested)
        {
        }
        var waited = Stopwatch.StartNew();
        while (InFlight > 0 && waited.Elapsed < drainTimeout && !abort.IsCancellationRequested) await Task.Delay(5, CancellationToken.None).ConfigureAwait(false);
        if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false); // anything still waiting: connection_lost
    }

    private async Task SendLoopAsync(long startTicks, long stopAtTicks, CancellationToken stop, CancellationToken abort)
    {
        var limiter = new TokenLimiter(_schedule, startTicks);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                long now = Stopwatch.GetTimestamp();
                if (now >= stopAtTicks - 1) break;
                long available = limiter.Available(now);
                if (available == 0)
                {
                    long next = limiter.NextDueTicks;
                    await DelayUntilAsync(next == ArrivalSchedule.Unknown ? now + Stopwatch.Frequency / 100 : Math.Min(next, stopAtTicks), stop).ConfigureAwait(false);
                    continue;
                }
                PipelinedHttpConnection connection;
                try
                {
                    connection = await GetConnectionAsync(abort).ConfigureAwait(false);
                }
                catch (Exception e) when (e is RpcTransportException or System.Net.Sockets.SocketException or IOException)
                {
                    // The node can't be reached: the due reads stay due (their intended times kept) and go when it can.
                    await Task.Delay(100, stop).ConfigureAwait(false);
                    continue;
                }
                int take = limiter.Take(now, 64, out long first);
                for (int i = 0; i < take; i++)
                {
                    Request request = Rent();
                    request.IntendedTicks = limiter.IntendedTicks(first + i);
                    Write(request);
                    request.SentTicks = Stopwatch.GetTimestamp();
                    _recorder.OnSent(_node);
                    Interlocked.Increment(ref _inFlight);
                    // Waits while the pipelining depth is used up: the reads due meanwhile are measured from their intended times.
                    await connection.SendAsync(request.Body.AsMemory(0, request.Length), this, request, abort).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _unsent, limiter.Available(Math.Min(Stopwatch.GetTimestamp(), stopAtTicks - 1)));
        }
    }

    /// <summary>The request body for this node's next read, with a fresh id.</summary>
    private void Write(Request request)
    {
        long id = _recorder.NextId();
        request.Id = id;
        Span<byte> body = request.Body;
        ReadTargets t = _targets;
        switch (_method)
        {
            case ReadMethod.GetBalance:
                request.Method = ReadMethod.GetBalance;
                request.Length = ReadRequestWriter.WriteGetBalance(body, id, t.Wallets[(int)(_walletTurn++ % t.Wallets.Length)]);
                break;
            case ReadMethod.Call:
                request.Method = ReadMethod.Call;
                request.Length = t.Token is Address token
                    ? ReadRequestWriter.WriteCall(body, id, token, t.Wallets[(int)(_walletTurn++ % t.Wallets.Length)])
                    : ReadRequestWriter.WriteCall(body, id, t.Funder, null);
                break;
            case ReadMethod.GetTransactionReceipt when t.Recent.TryGet(_receiptTurn++, out Hash256 hash):
                request.Method = ReadMethod.GetTransactionReceipt;
                request.Length = ReadRequestWriter.WriteReceipt(body, id, hash);
                break;
            default: // eth_blockNumber, and eth_getTransactionReceipt until a tx of the run is included
                request.Method = ReadMethod.BlockNumber;
                request.Length = ReadRequestWriter.WriteBlockNumber(body, id);
                break;
        }
    }

    private async ValueTask<PipelinedHttpConnection> GetConnectionAsync(CancellationToken cancel)
    {
        PipelinedHttpConnection? connection = _connection;
        if (connection is { IsFaulted: false }) return connection;
        if (connection is not null)
        {
            _connection = null;
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        connection = await PipelinedHttpConnection.ConnectAsync(_endpoint, _pipelining, _responseTimeout, cancel).ConfigureAwait(false);
        _connection = connection;
        return connection;
    }

    /// <summary>Opens the connection before sending starts, so the first reads do not wait for TCP (and TLS) set-up.</summary>
    public async Task ConnectAheadAsync(CancellationToken cancel)
    {
        try
        {
            await GetConnectionAsync(cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcTransportException or System.Net.Sockets.SocketException or IOException or OperationCanceledException)
        {
            // The send loop tries again.
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask DelayUntilAsync(long dueTicks, CancellationToken stop)
    {
        long now = Stopwatch.GetTimestamp();
        if (dueTicks - now <= 0) return;
        double ms = (dueTicks - now) * 1000.0 / Stopwatch.Frequency;
        if (ms < 1) await Task.Yield();
        else await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(ms, 50)), stop).ConfigureAwait(false);
    }

    private Request Rent()
    {
        Request? request;
        lock (_pool) _pool.TryPop(out request);
        return request ?? new Request();
    }

    private void Done(Request request, ReadOutcome outcome, long ackTicks, int errorId)
    {
        _recorder.OnAnswered(_node, request.Id, request.Method, outcome, request.IntendedTicks, request.SentTicks, ackTicks, errorId);
        lock (_pool) _pool.Push(request);
        Interlocked.Decrement(ref _inFlight);
    }

    void IRpcResponseHandler.OnResponse(int status, ReadOnlySequence<byte> body, object? state)
    {
        var request = (Request)state!;
        long ackTicks = Stopwatch.GetTimestamp();
        if (status is < 200 or >= 300)
        {
            ReadOutcome failed = status == 429 ? ReadOutcome.RateLimited : ReadOutcome.HttpError;
            ReadOnlySpan<byte> text = status switch
            {
                429 => "HTTP 429"u8,
                500 => "HTTP 500"u8,
                502 => "HTTP 502"u8,
                503 => "HTTP 503"u8,
                _ => System.Text.Encoding.UTF8.GetBytes($"HTTP {status}"), // rare: a status with no text of its own
            };
            Done(request, failed, ackTicks, _recorder.InternError(failed, text));
            return;
        }
        var sink = new EntrySink(this, request);
        JsonRpcResponseReader.TryRead(body, ref sink);
        if (sink.Seen) Done(request, sink.Outcome, ackTicks, sink.ErrorId);
        else Done(request, ReadOutcome.NoAnswer, ackTicks, _recorder.InternError(ReadOutcome.NoAnswer, "no answer for this read in the node's response"u8));
    }

    void IRpcResponseHandler.OnFailure(TxOutcome reason, string message, object? state) =>
        Done((Request)state!, ReadOutcome.ConnectionLost, Stopwatch.GetTimestamp(), _recorder.InternError(ReadOutcome.ConnectionLost, System.Text.Encoding.UTF8.GetBytes(message)));
}
