using System.Buffers;
using System.Diagnostics;
using FastLoad.Engine.Rpc;

namespace FastLoad.Engine.Load;

public sealed record SenderOptions
{
    /// <summary>Calls per JSON-RPC batch.</summary>
    public int Batch { get; init; } = 100;

    /// <summary>Keep-alive connections to the node.</summary>
    public int Connections { get; init; } = 2;

    /// <summary>Requests in flight per connection (HTTP/1.1 pipelining depth).</summary>
    public int Pipelining { get; init; } = 4;

    /// <summary>Tx/s for this node, or null for as fast as the node takes (--max).</summary>
    public double? Rate { get; init; }

    /// <summary>This node's index in the run (recorded with each tx).</summary>
    public int NodeIndex { get; init; }

    /// <summary>How long due tokens may wait for a fuller batch.</summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromMilliseconds(2);

    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(30);
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
    private readonly byte _node;

    public NodeSender(RpcEndpoint endpoint, NodeStats stats, PresignedRing ring, SenderOptions options, CircuitBreaker breaker, ITxSource? source, ITxResultSink? results)
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
    }

    public NodeStats Stats { get; }

    public int InFlightBatches => Volatile.Read(ref _inFlightBatches);

    /// <summary>The last JSON-RPC error message seen (for the summary).</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>
    /// Sends until <paramref name="stop"/> fires or the clock reaches <paramref name="stopAtTicks"/> (no token
    /// due at or after it is sent), then waits (bounded) for in-flight responses.
    /// </summary>
    public async Task RunAsync(long startTicks, long stopAtTicks, CancellationToken stop)
    {
        try
        {
            await SendLoopAsync(startTicks, stopAtTicks, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        var deadline = Stopwatch.StartNew();
        while (InFlightBatches > 0 && deadline.Elapsed < _options.ResponseTimeout) await Task.Delay(5).ConfigureAwait(false);
        foreach (PipelinedHttpConnection? connection in _connections)
            if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
    }

    private async Task SendLoopAsync(long startTicks, long stopAtTicks, CancellationToken stop)
    {
        long lingerTicks = (long)(_options.Linger.TotalSeconds * Stopwatch.Frequency);
        SmoothRateLimiter? limiter = _options.Rate is double rate ? new SmoothRateLimiter(rate, startTicks) : null;
        while (!stop.IsCancellationRequested)
        {
            long now = Math.Min(Stopwatch.GetTimestamp(), stopAtTicks - 1);
            if (limiter is null ? now >= stopAtTicks - 1 : limiter.NextDueTicks >= stopAtTicks) break;
            int take = _options.Batch;
            long firstToken = 0;
            if (limiter is not null)
            {
                long available = limiter.Available(now);
                if (available == 0)
                {
                    await DelayUntilAsync(limiter.NextDueTicks, stop).ConfigureAwait(false);
                    continue;
                }
                // Linger for a fuller batch, but not at the deadline (now is clamped there: no more tokens will come).
                if (available < _options.Batch && now - limiter.NextDueTicks < lingerTicks && now < stopAtTicks - 1)
                {
                    await DelayUntilAsync(Math.Min(limiter.NextDueTicks + lingerTicks, limiter.IntendedTicks(limiter.Issued + _options.Batch - 1)), stop).ConfigureAwait(false);
                    continue;
                }
                take = limiter.Take(now, _options.Batch, out firstToken);
            }
            double multiplier = _breaker.Multiplier;
            int send = take;
            if (multiplier < 1.0)
            {
                send = Math.Max(1, (int)(take * multiplier));
                if (limiter is not null) Stats.AddShed(take - send);
                else await Task.Delay(10, stop).ConfigureAwait(false); // --max: the breaker throttles by pausing
            }

            SendBatch batch = Rent(send);
            long sentTicks = Stopwatch.GetTimestamp();
            while (batch.Count < send && _ring.TryBeginRead(out PresignedTx slot, out long position))
            {
                if (slot.Epoch != slot.Wallet!.Epoch)
                {
                    // The wallet was invalidated after this tx was signed: its nonce is in doubt.
                    _ring.EndRead(position);
                    Stats.AddRevoked();
                    _source?.GiveBack(1);
                    continue;
                }
                batch.Append(slot.Call.AsSpan(0, slot.CallLength));
                ref InFlightTx tx = ref batch.Txs[batch.Count++];
                tx.Id = slot.Id;
                tx.Wallet = slot.Wallet;
                tx.Nonce = slot.Nonce;
                tx.Epoch = slot.Epoch;
                tx.Node = _node;
                tx.TxHash = new Primitives.Hash256(slot.TxHash);
                tx.IntendedTicks = limiter is not null ? limiter.IntendedTicks(firstToken + batch.Count - 1) : sentTicks;
                tx.SentTicks = sentTicks;
                slot.Wallet.RecordSent();
                _ring.EndRead(position);
            }
            if (limiter is not null && batch.Count < send) limiter.Return(send - batch.Count); // signers behind: keep the tokens, and their intended times
            if (batch.Count == 0)
            {
                Return(batch);
                await Task.Delay(1, stop).ConfigureAwait(false);
                continue;
            }
            batch.Body[batch.BodyLength++] = (byte)']';
            Stats.AddSent(batch.Count);
            Interlocked.Increment(ref _inFlightBatches);
            PipelinedHttpConnection connection;
            try
            {
                connection = await GetConnectionAsync(stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RpcTransportException or System.Net.Sockets.SocketException or IOException)
            {
                // Node unreachable: the batch was never sent; its txs count as lost and their wallets resync.
                ((IRpcResponseHandler)this).OnFailure(TxOutcome.ConnectionLost, e.Message, batch);
                await Task.Delay(100, stop).ConfigureAwait(false);
                continue;
            }
            try
            {
                await connection.SendAsync(batch.Body.AsMemory(0, batch.BodyLength), this, batch, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Cancelled while waiting for a pipelining slot: the handler will never hear of this batch.
                ((IRpcResponseHandler)this).OnFailure(TxOutcome.ConnectionLost, "stopped before sending", batch);
                throw;
            }
        }
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))] // a box per wait was ~10 MB/s of garbage at 2,000 tx/s
    private static async ValueTask DelayUntilAsync(long dueTicks, CancellationToken stop)
    {
        long wait = dueTicks - Stopwatch.GetTimestamp();
        if (wait <= 0) return;
        double ms = wait * 1000.0 / Stopwatch.Frequency;
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
            if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
            connection = await PipelinedHttpConnection.ConnectAsync(_endpoint, _options.Pipelining, _options.ResponseTimeout, stop).ConfigureAwait(false);
            _connections[index] = connection;
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
    }

    private void Complete(SendBatch batch, int index, TxOutcome outcome, long ackTicks, ReadOnlySpan<byte> error)
    {
        batch.Answered[index] = true;
        ref InFlightTx tx = ref batch.Txs[index];
        Stats.Add(outcome);
        if (outcome is TxOutcome.Accepted or TxOutcome.AlreadyKnown) tx.Wallet.RecordAccepted();
        else tx.Wallet.Invalidate(tx.Epoch); // any gap puts the wallet's later nonces in doubt
        _results?.OnResult(tx, outcome, ackTicks, error);
    }

    private void Finish(SendBatch batch, TxOutcome unanswered, long ackTicks, ReadOnlySpan<byte> error)
    {
        for (int i = 0; i < batch.Count; i++)
            if (!batch.Answered[i]) Complete(batch, i, unanswered, ackTicks, error);
        Return(batch);
        Interlocked.Decrement(ref _inFlightBatches);
    }

    void IRpcResponseHandler.OnResponse(int status, ReadOnlySequence<byte> body, object? state)
    {
        var batch = (SendBatch)state!;
        long ackTicks = Stopwatch.GetTimestamp();
        if (status is < 200 or >= 300)
        {
            Finish(batch, ErrorClassifier.FromHttpStatus(status), ackTicks, System.Text.Encoding.UTF8.GetBytes($"HTTP {status}"));
            return;
        }
        var sink = new EntrySink(this, batch, ackTicks);
        JsonRpcResponseReader.TryRead(body, ref sink);
        // Entries the node did not answer (or an unreadable body) count as server errors.
        Finish(batch, TxOutcome.ServerError, ackTicks, "no answer for this tx in the node's response"u8);
    }

    void IRpcResponseHandler.OnFailure(TxOutcome reason, string message, object? state)
    {
        Volatile.Write(ref _lastError, $"{reason}: {message}");
        Finish((SendBatch)state!, reason, Stopwatch.GetTimestamp(), System.Text.Encoding.UTF8.GetBytes(message));
    }
}
