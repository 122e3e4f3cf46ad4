using System.Buffers;
using System.Diagnostics;
using FastLoad.Engine.Rpc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastLoad.Engine.Load;

public sealed record SenderOptions
{
    /// <summary>Calls per JSON-RPC batch.</summary>
    public int Batch { get; init; } = 100;

    /// <summary>Keep-alive connections to the node.</summary>
    public int Connections { get; init; } = 2;

    /// <summary>Requests in flight per connection (HTTP/1.1 pipelining depth).</summary>
    public int Pipelining { get; init; } = 4;

    /// <summary>Tx/s for this node, or null for as fast as the node takes (--max). Ignored when <see cref="Schedule"/> is set.</summary>
    public double? Rate { get; init; }

    /// <summary>This node's share of the load shape (when each token is due); null = constant at <see cref="Rate"/>.</summary>
    public Shapes.ArrivalSchedule? Schedule { get; init; }

    /// <summary>This node's index in the run (recorded with each tx).</summary>
    public int NodeIndex { get; init; }

    /// <summary>How long due tokens may wait for a fuller batch.</summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromMilliseconds(2);

    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>After sending stops, how long in-flight requests may take to be answered before they are given up (counted as connection_lost).</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A tx sent later than this after its intended time counts as late (the sender was behind schedule).</summary>
    public TimeSpan LateAfter { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest pause honoured from a Retry-After header.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Drains one node's presigned ring into JSON-RPC batches over pipelined keep-alive connections,
/// at a smooth rate, and turns every response entry into a per-tx outcome. Batches are pooled;
/// the per-tx path copies bytes and structs only.
/// </summary>
public sealed class NodeSender : IRpcResponseHandler
{
    private sealed class SendBatch
    {
        public byte[] Body = new byte[64 * 1024];
        public int BodyLength;
        public InFlightTx[] Txs = new InFlightTx[64];
        public bool[] Answered = new bool[64];
        public int Count;
        public int Cursor;
        public PipelinedHttpConnection? Connection;

        public void Reset(int batch)
        {
            if (Txs.Length < batch)
            {
                Txs = new InFlightTx[batch];
                Answered = new bool[batch];
            }
            Array.Clear(Answered, 0, Count);
            Array.Clear(Txs, 0, Count); // drop wallet references
            Count = 0;
            Cursor = 0;
            BodyLength = 0;
            Connection = null;
        }

        public void Append(ReadOnlySpan<byte> call)
        {
            int needed = BodyLength + call.Length + 2;
            if (needed > Body.Length) Array.Resize(ref Body, Math.Max(needed, Body.Length * 2));
            Body[BodyLength++] = Count == 0 ? (byte)'[' : (byte)',';
            call.CopyTo(Body.AsSpan(BodyLength));
            BodyLength += call.Length;
        }

        /// <summary>Index of the tx with this id; responses usually come in order, so start at the cursor.</summary>
        public int Find(long id)
        {
            for (int n = 0; n < Count; n++)
            {
                int i = Cursor + n;
                if (i >= Count) i -= Count;
                if (Txs[i].Id == id)
                {
                    Cursor = i + 1 == Count ? 0 : i + 1;
                    return i;
                }
            }
            return -1;
        }
    }

    private struct EntrySink(NodeSender sender, SendBatch batch, long ackTicks) : IRpcEntrySink
    {
        public void OnResult(long id, ReadOnlySpan<byte> resultRaw)
        {
            int i = batch.Find(id);
            if (i >= 0 && !batch.Answered[i]) sender.Complete(batch, i, TxOutcome.Accepted, ackTicks, default);
        }

        public void OnError(long id, int code, ReadOnlySpan<byte> message)
        {
            TxOutcome outcome = ErrorClassifier.Classify(code, message);
            if (id < 0)
            {
                sender.NoteErrorText(outcome, message);
                for (int i = 0; i < batch.Count; i++)
                    if (!batch.Answered[i]) sender.Complete(batch, i, outcome, ackTicks, message);
                return;
            }
            int index = batch.Find(id);
            if (index >= 0 && !batch.Answered[index])
            {
                sender.NoteError(outcome, message);
                sender.Complete(batch, index, outcome, ackTicks, message);
            }
        }
    }

    private readonly RpcEndpoint _endpoint;
    private readonly PresignedRing _ring;
    private readonly SenderOptions _options;
    private readonly CircuitBreaker _breaker;
    private readonly ITxSource? _source;
    private readonly ITxResultSink? _results;
    private readonly Stack<SendBatch> _pool = new();
    private readonly PipelinedHttpConnection?[] _connections;
    private int _nextConnection;
    private int _inFlightBatches;
    private string? _lastError;
    private long _unansweredSince;
    private long _pausedUntil;
    private long _pauses;
    private long _unsent;
    private long _late;
    private long _maxLag;
    private long _lastSent;
    // Self-telemetry: stopwatch ticks the send loop waited for signed txs and for the network. Written by the send loop
    // only (one flow), read by the sampler: a timestamp pair per wait, never per tx.
    private long _waitSigning;
    private long _waitNetwork;
    private readonly byte _node;
    private readonly ILogger _log;
    private readonly bool[] _everConnected;
    private bool _connectFailing;
    private long _losses;
    // Error texts already logged for this node: hashes of (outcome, text), at most MaxErrorTexts of them.
    private const int MaxErrorTexts = 32;
    private readonly HashSet<int> _errorTexts = [];
    private volatile bool _errorTextsFull;

    public NodeSender(RpcEndpoint endpoint, NodeStats stats, PresignedRing ring, SenderOptions options, CircuitBreaker breaker, ITxSource? source, ITxResultSink? results, ILogger? logger = null)
    {
        _endpoint = endpoint;
        Stats = stats;
        _ring = ring;
        _options = options;
        _breaker = breaker;
        _source = source;
        _results = results;
        _node = (byte)options.NodeIndex;
        _connections = new PipelinedHttpConnection?[options.Connections];
        _everConnected = new bool[options.Connections];
        _log = logger ?? NullLogger.Instance;
    }

    public NodeStats Stats { get; }

    /// <summary>Where the txs are held for the confirmation streams (<c>--confirm-ws</c>) as they go out; null without streams.</summary>
    public Preconf.PreconfTracker? Preconf { get; init; }

    public int InFlightBatches => Volatile.Read(ref _inFlightBatches);

    /// <summary>The last JSON-RPC error message seen (for the summary).</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>
    /// Since when the node has given no 2xx answer although we tried to reach it (a failed connect, or a request
    /// sent and not yet answered with a 2xx); 0 while it answers. The run ends when this grows past --node-timeout.
    /// </summary>
    public long UnansweredSinceTicks => Volatile.Read(ref _unansweredSince);

    /// <summary>Tokens that were due before sending stopped but never sent (the sender or the node fell behind).</summary>
    public long Unsent => Volatile.Read(ref _unsent);

    /// <summary>Txs sent later than <see cref="SenderOptions.LateAfter"/> after their intended time.</summary>
    public long Late => Volatile.Read(ref _late);

    /// <summary>The most a tx was sent behind its intended time, in stopwatch ticks.</summary>
    public long MaxLagTicks => Volatile.Read(ref _maxLag);

    /// <summary>Pauses taken because the node answered HTTP 429 (honouring Retry-After).</summary>
    public long RateLimitPauses => Volatile.Read(ref _pauses);

    /// <summary>Stopwatch ticks the send loop waited for signed txs: tokens were due (or --max) and the ring was empty.</summary>
    public long WaitSigningTicks => Volatile.Read(ref _waitSigning);

    /// <summary>
    /// Stopwatch ticks the send loop waited for the network: a batch was ready and every pipelining slot of its connection
    /// was taken (or the socket would not take the bytes), or the node had it pause (HTTP 429) or could not be reached.
    /// </summary>
    public long WaitNetworkTicks => Volatile.Read(ref _waitNetwork);

    /// <summary>When the last tx went out (stopwatch ticks; 0 before the first).</summary>
    public long LastSentTicks => Volatile.Read(ref _lastSent);

    /// <summary>
    /// Sends until <paramref name="stopTaking"/> fires or the clock reaches <paramref name="stopAtTicks"/> (nothing is
    /// sent from then on, whatever the node does), then waits for in-flight answers, at most
    /// <see cref="SenderOptions.DrainTimeout"/> or until <paramref name="abort"/>. Batches already taken are always
    /// sent: stopping never leaves a tx counted as sent but not on the wire.
    /// </summary>
    public async Task RunAsync(long startTicks, long stopAtTicks, CancellationToken stopTaking, CancellationToken abort = default)
    {
        try
        {
            await SendLoopAsync(startTicks, stopAtTicks, stopTaking, abort).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopTaking.IsCancellationRequested || abort.IsCancellationRequested)
        {
        }
        var deadline = Stopwatch.StartNew();
        while (InFlightBatches > 0 && deadline.Elapsed < _options.DrainTimeout && !abort.IsCancellationRequested) await Task.Delay(5, CancellationToken.None).ConfigureAwait(false);
        foreach (PipelinedHttpConnection? connection in _connections)
            if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false); // anything still awaiting: connection_lost
    }

    /// <summary>
    /// Opens every connection before sending starts, so the first second's txs do not wait for TCP (and TLS) set-up
    /// behind their intended times. A node that can't be reached now is tried again by the send loop.
    /// </summary>
    public async Task ConnectAheadAsync(CancellationToken cancel)
    {
        for (int i = 0; i < _connections.Length; i++)
        {
            try
            {
                await GetConnectionAsync(cancel).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RpcTransportException or System.Net.Sockets.SocketException or IOException or OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task SendLoopAsync(long startTicks, long stopAtTicks, CancellationToken stopTaking, CancellationToken abort)
    {
        long lingerTicks = (long)(_options.Linger.TotalSeconds * Stopwatch.Frequency);
        // Near the deadline a timer's oversleep (~1 ms) would leave the last due tokens unsent: from here on, no lingering,
        // and waits for a token yield instead of sleeping.
        long preciseAfter = stopAtTicks == long.MaxValue ? long.MaxValue : stopAtTicks - Stopwatch.Frequency / 200;
        long lateTicks = (long)(_options.LateAfter.TotalSeconds * Stopwatch.Frequency);
        Shapes.TokenLimiter? limiter = _options.Schedule is { } schedule ? new Shapes.TokenLimiter(schedule, startTicks)
            : _options.Rate is double rate ? new SmoothRateLimiter(rate, startTicks) : null;
        long breakerNext = 0; // while the breaker is open: when the next reduced batch may go
        while (Stopwatch.GetTimestamp() < startTicks) await DelayUntilAsync(startTicks, stopTaking, startTicks - Stopwatch.Frequency / 500).ConfigureAwait(false);
        try
        {
            while (!stopTaking.IsCancellationRequested)
            {
                long clock = Stopwatch.GetTimestamp();
                if (clock >= stopAtTicks - 1) break; // the deadline is a promise: nothing goes out after it
                if (limiter is not null && limiter.NextDueTicks is long due && due != Shapes.ArrivalSchedule.Unknown && due >= stopAtTicks)
                {
                    // No token left before the deadline: idle until it (a shape's quiet end, e.g. between bursts, is part of the run).
                    await DelayUntilAsync(stopAtTicks, stopTaking).ConfigureAwait(false);
                    continue;
                }
                long pausedUntil = Volatile.Read(ref _pausedUntil);
                if (pausedUntil > clock)
                {
                    await DelayUntilAsync(Math.Min(pausedUntil, stopAtTicks), stopTaking).ConfigureAwait(false);
                    AddWait(ref _waitNetwork, clock); // the node asked us to pause (429)
                    continue;
                }
                double multiplier = _breaker.Multiplier;
                if (multiplier < 1.0 && breakerNext > clock)
                {
                    await DelayUntilAsync(Math.Min(breakerNext, stopAtTicks), stopTaking).ConfigureAwait(false);
                    continue;
                }
                long now = Math.Min(clock, stopAtTicks - 1);
                int take = _options.Batch;
                long firstToken = 0;
                if (limiter is not null)
                {
                    long available = limiter.Available(now);
                    if (available == 0)
                    {
                        long next = limiter.NextDueTicks;
                        if (next == Shapes.ArrivalSchedule.Unknown) await Task.Delay(1, stopTaking).ConfigureAwait(false); // per-block: look again for a new block soon
                        else await DelayUntilAsync(Math.Min(next, stopAtTicks), stopTaking, preciseAfter).ConfigureAwait(false);
                        continue;
                    }
                    // Linger for a fuller batch, but not at the deadline (no more tokens will come).
                    if (available < _options.Batch && now - limiter.NextDueTicks < lingerTicks && limiter.NextDueTicks + lingerTicks < preciseAfter)
                    {
                        await DelayUntilAsync(Math.Min(limiter.NextDueTicks + lingerTicks, limiter.IntendedTicks(limiter.Issued + _options.Batch - 1)), stopTaking).ConfigureAwait(false);
                        continue;
                    }
                    take = limiter.Take(now, _options.Batch, out firstToken);
                }
                int send = take;
                if (multiplier < 1.0)
                {
                    // The breaker holds the rate down: send a fraction now; the rest of the tokens stay due (their
                    // intended times kept), so the slowdown shows as latency, never as load that silently vanished.
                    send = Math.Max(1, (int)(take * multiplier));
                    if (limiter is not null)
                    {
                        limiter.Return(take - send);
                        // Paced at the breaker's fraction of the shape's current rate (a shape without one now: 10 ms steps).
                        double scheduled = limiter.RateAt(clock);
                        long pace = scheduled > 0 ? (long)(send * (Stopwatch.Frequency / scheduled) / multiplier) : Stopwatch.Frequency / 100;
                        breakerNext = Math.Max(clock, breakerNext) + pace;
                    }
                    else
                    {
                        await Task.Delay(10, stopTaking).ConfigureAwait(false); // --max: the breaker throttles by pausing
                    }
                }

                // Connect first: a node that can't be reached takes no txs (nothing is signed away), and the tokens
                // stay due with their intended times.
                PipelinedHttpConnection connection;
                try
                {
                    connection = await GetConnectionAsync(abort).ConfigureAwait(false);
                }
                catch (Exception e) when (e is RpcTransportException or System.Net.Sockets.SocketException or IOException)
                {
                    limiter?.Return(send);
                    NoteUnanswered(Stopwatch.GetTimestamp());
                    Volatile.Write(ref _lastError, $"{TxOutcome.ConnectionLost}: {e.Message}");
                    if (!_connectFailing)
                    {
                        _connectFailing = true; // said once per outage, not every 100 ms
                        _log.SenderUnreachable(_node, _endpoint.Url, e.Message);
                    }
                    long unreachable = Stopwatch.GetTimestamp();
                    await Task.Delay(100, stopTaking).ConfigureAwait(false);
                    AddWait(ref _waitNetwork, unreachable);
                    continue;
                }

                SendBatch batch = Rent(send);
                batch.Connection = connection;
                long sentTicks = Stopwatch.GetTimestamp();
                while (batch.Count < send && _ring.TryBeginRead(out PresignedTx slot, out long position))
                {
                    if (slot.Epoch != slot.Wallet!.Epoch)
                    {
                        // The wallet was invalidated after this tx was signed: its nonce is in doubt.
                        _ring.EndRead(position);
                        Stats.AddRevoked();
                        _source?.Discarded(slot.Wallet, slot.Id);
                        continue;
                    }
                    batch.Append(slot.CallBytes);
                    ref InFlightTx tx = ref batch.Txs[batch.Count++];
                    tx.Id = slot.Id;
                    tx.Wallet = slot.Wallet;
                    tx.Nonce = slot.Nonce;
                    tx.Epoch = slot.Epoch;
                    tx.Op = slot.Op;
                    tx.Node = _node;
                    tx.TxHash = new Primitives.Hash256(slot.TxHash);
                    tx.IntendedTicks = limiter is not null ? limiter.IntendedTicks(firstToken + batch.Count - 1) : sentTicks;
                    tx.SentTicks = sentTicks;
                    long lag = sentTicks - tx.IntendedTicks;
                    if (lag > lateTicks)
                    {
                        _late++;
                        if (lag > _maxLag) _maxLag = lag;
                    }
                    slot.Wallet.RecordSent();
                    _ring.EndRead(position);
                }
                if (limiter is not null && batch.Count < send) limiter.Return(send - batch.Count); // signers behind: keep the tokens, and their intended times
                if (batch.Count == 0)
                {
                    Return(batch);
                    long empty = Stopwatch.GetTimestamp();
                    await Task.Delay(1, stopTaking).ConfigureAwait(false); // the ring is empty: wait for the signers
                    AddWait(ref _waitSigning, empty);
                    continue;
                }
                batch.Body[batch.BodyLength++] = (byte)']';
                Preconf?.Add(batch.Txs.AsSpan(0, batch.Count)); // before the bytes go out: a stream may mention them before the node answers
                Stats.AddSent(batch.Count);
                Volatile.Write(ref _lastSent, sentTicks);
                Interlocked.Increment(ref _inFlightBatches);
                NoteUnanswered(sentTicks);
                // Not cancelled by a stop: a batch taken is sent (it may wait for a pipelining slot); only an abort
                // gives it up, and then the handler hears of it (connection_lost).
                ValueTask sending = connection.SendAsync(batch.Body.AsMemory(0, batch.BodyLength), this, batch, abort);
                if (sending.IsCompleted)
                {
                    sending.GetAwaiter().GetResult();
                }
                else
                {
                    // Every pipelining slot is taken (or the socket is full): the batch waits for the node.
                    long full = Stopwatch.GetTimestamp();
                    await sending.ConfigureAwait(false);
                    AddWait(ref _waitNetwork, full);
                }
            }
        }
        finally
        {
            if (limiter is not null)
            {
                long end = Math.Min(Stopwatch.GetTimestamp(), stopAtTicks - 1);
                Volatile.Write(ref _unsent, limiter.Available(end));
            }
        }
    }

    /// <summary>Adds the time since <paramref name="since"/> to a wait counter (only the send loop writes them).</summary>
    private static void AddWait(ref long counter, long since) => Volatile.Write(ref counter, counter + (Stopwatch.GetTimestamp() - since));

    private void NoteUnanswered(long ticks)
    {
        if (Volatile.Read(ref _unansweredSince) == 0) Interlocked.CompareExchange(ref _unansweredSince, ticks, 0);
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))] // a box per wait was ~10 MB/s of garbage at 2,000 tx/s
    private static async ValueTask DelayUntilAsync(long dueTicks, CancellationToken stop, long preciseAfter = long.MaxValue)
    {
        long now = Stopwatch.GetTimestamp();
        if (dueTicks - now <= 0) return;
        if (now >= preciseAfter)
        {
            await Task.Yield();
            return;
        }
        double ms = (Math.Min(dueTicks, preciseAfter) - now) * 1000.0 / Stopwatch.Frequency; // sleep no further than preciseAfter
        if (ms < 1) await Task.Yield();
        else await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(ms, 50)), stop).ConfigureAwait(false);
    }

    private async ValueTask<PipelinedHttpConnection> GetConnectionAsync(CancellationToken stop)
    {
        int index = _nextConnection;
        _nextConnection = (index + 1) % _connections.Length;
        PipelinedHttpConnection? connection = _connections[index];
        if (connection is null || connection.IsFaulted)
        {
            if (connection is not null)
            {
                _connections[index] = null; // counted and logged once, even if the reconnect below fails and is tried again
                long losses = ++_losses;
                // The first 20 losses of each node, then every 1,000th: a node that resets often must not flood the log.
                if (losses <= 20 || losses % 1000 == 0) _log.SenderDisconnected(_node, _endpoint.Url, index, losses, connection.FaultMessage ?? "faulted");
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            connection = await PipelinedHttpConnection.ConnectAsync(_endpoint, _options.Pipelining, _options.ResponseTimeout, stop).ConfigureAwait(false);
            _connections[index] = connection;
            if (!_everConnected[index])
            {
                _everConnected[index] = true;
                _log.SenderConnected(_node, _endpoint.Url, index);
            }
            else if (_losses <= 20 || _connectFailing)
            {
                _log.SenderReconnected(_node, _endpoint.Url, index);
            }
            _connectFailing = false;
        }
        return connection;
    }

    private SendBatch Rent(int size)
    {
        SendBatch? batch;
        lock (_pool) _pool.TryPop(out batch);
        batch ??= new SendBatch();
        batch.Reset(size);
        return batch;
    }

    private void Return(SendBatch batch)
    {
        lock (_pool) _pool.Push(batch);
    }

    private void NoteError(TxOutcome outcome, ReadOnlySpan<byte> message)
    {
        if (_lastError is null || Stats.Count(outcome) % 1000 == 0)
            Volatile.Write(ref _lastError, $"{outcome}: {System.Text.Encoding.UTF8.GetString(message)}");
        NoteErrorText(outcome, message);
    }

    /// <summary>
    /// Logs an error text the first time this node gives it (per outcome), up to <see cref="MaxErrorTexts"/> texts.
    /// The steady state of the error path only hashes the text (no allocation); only a new text is turned into a string.
    /// </summary>
    private void NoteErrorText(TxOutcome outcome, ReadOnlySpan<byte> message)
    {
        if (_errorTextsFull || !_log.IsEnabled(LogLevel.Warning)) return;
        var hash = new HashCode();
        hash.Add((int)outcome);
        hash.AddBytes(message);
        int key = hash.ToHashCode();
        bool isNew, full = false;
        lock (_errorTexts)
        {
            if (_errorTextsFull) return;
            isNew = _errorTexts.Add(key);
            if (isNew && _errorTexts.Count >= MaxErrorTexts)
            {
                _errorTextsFull = true;
                full = true;
            }
        }
        if (!isNew) return;
        _log.ErrorFirstSeen(_node, _endpoint.Url, Results.ResultsSchema.OutcomeName(outcome), System.Text.Encoding.UTF8.GetString(message));
        if (full) _log.ErrorTextsCapped(_node, _endpoint.Url, MaxErrorTexts);
    }

    private void Complete(SendBatch batch, int index, TxOutcome outcome, long ackTicks, ReadOnlySpan<byte> error)
    {
        batch.Answered[index] = true;
        ref InFlightTx tx = ref batch.Txs[index];
        Stats.Add(outcome);
        if (outcome is TxOutcome.Accepted or TxOutcome.AlreadyKnown) tx.Wallet.RecordAccepted(tx.Nonce);
        else tx.Wallet.Invalidate(tx.Epoch); // any gap puts the wallet's later nonces in doubt
        _results?.OnResult(tx, outcome, ackTicks, error);
    }

    private void Finish(SendBatch batch, TxOutcome unanswered, long ackTicks, ReadOnlySpan<byte> error)
    {
        bool any = false;
        for (int i = 0; i < batch.Count; i++)
        {
            if (batch.Answered[i]) continue;
            Complete(batch, i, unanswered, ackTicks, error);
            any = true;
        }
        if (any) NoteErrorText(unanswered, error);
        Return(batch);
        Interlocked.Decrement(ref _inFlightBatches);
    }

    void IRpcResponseHandler.OnResponse(int status, ReadOnlySequence<byte> body, object? state)
    {
        var batch = (SendBatch)state!;
        long ackTicks = Stopwatch.GetTimestamp();
        if (status is < 200 or >= 300)
        {
            if (status == 429)
            {
                // The node asks us to slow down: every connection to it pauses (Retry-After, else 1 s); the tokens
                // due meanwhile wait with their intended times.
                int seconds = batch.Connection?.ResponseRetryAfterSeconds ?? -1;
                TimeSpan pause = seconds >= 0 ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromSeconds(1);
                if (pause > _options.MaxRetryAfter) pause = _options.MaxRetryAfter;
                long until = ackTicks + (long)(pause.TotalSeconds * Stopwatch.Frequency);
                if (until > Volatile.Read(ref _pausedUntil))
                {
                    Volatile.Write(ref _pausedUntil, until);
                    Interlocked.Increment(ref _pauses);
                }
            }
            Finish(batch, ErrorClassifier.FromHttpStatus(status), ackTicks, status == 429 ? "HTTP 429"u8 : status == 503 ? "HTTP 503"u8 : status == 500 ? "HTTP 500"u8 : System.Text.Encoding.UTF8.GetBytes($"HTTP {status}"));
            return;
        }
        Volatile.Write(ref _unansweredSince, 0);
        var sink = new EntrySink(this, batch, ackTicks);
        JsonRpcResponseReader.TryRead(body, ref sink);
        // Entries the node did not answer (or an unreadable body): the node may have taken those txs. They are
        // no_answer, looked for in blocks like accepted ones, and their wallets resync.
        Finish(batch, TxOutcome.NoAnswer, ackTicks, "no answer for this tx in the node's response"u8);
    }

    void IRpcResponseHandler.OnFailure(TxOutcome reason, string message, object? state)
    {
        Volatile.Write(ref _lastError, $"{reason}: {message}");
        Finish((SendBatch)state!, reason, Stopwatch.GetTimestamp(), System.Text.Encoding.UTF8.GetBytes(message));
    }
}
