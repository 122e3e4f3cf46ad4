using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace FastLoad.Engine.Rpc;

public sealed partial class PipelinedHttpConnection
{
    /// <summary>Bodies up to this size are written with the head into one reserved span; larger ones are copied after it in pieces.</summary>
    private const int MaxSingleSpanBody = 64 * 1024;

    /// <summary>Decimal digits of <see cref="int.MaxValue"/>: the widest Content-Length value.</summary>
    private const int MaxContentLengthDigits = 10;

    // Serialises writers: FIFO order must equal wire order, and a PipeWriter takes one writer at a time.
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    // The one send (holder of _sendLock) waiting for a free slot; resumed by a response, a fault, or its token. Guarded by _sync.
    private SendOperation? _waitingSend;

    // One spare operation: a sender loop reuses the same one for every send that has to wait.
    private SendOperation? _spareOperation;

    private enum Reservation : byte
    {
        Reserved,
        Full,
        Faulted,
    }

    /// <summary>
    /// Sends one JSON-RPC request (<paramref name="jsonBody"/> is the complete JSON: one call or a batch). The outcome
    /// arrives later through <paramref name="handler"/>, with <paramref name="state"/> passed back unchanged.
    /// </summary>
    /// <remarks>
    /// Completes synchronously, without allocating, when a slot is free and the socket takes the bytes at once;
    /// otherwise waits (asynchronously, also without allocating) while <see cref="InFlight"/> == <see cref="MaxInFlight"/>,
    /// or for the flush. Never throws for connection problems: a request that cannot be sent, or loses its connection,
    /// gets <see cref="IRpcResponseHandler.OnFailure"/> (<see cref="TxOutcome.ConnectionLost"/>); check
    /// <see cref="IsFaulted"/> to reconnect. Throws <see cref="OperationCanceledException"/> only if <paramref name="ct"/>
    /// fires before the request was queued (then the handler is not called). <paramref name="jsonBody"/> must stay
    /// unchanged until the returned task completes. Await each returned task once, as with any <see cref="ValueTask"/>.
    /// </remarks>
    public ValueTask SendAsync(ReadOnlyMemory<byte> jsonBody, IRpcResponseHandler handler, object? state, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (ct.IsCancellationRequested) return ValueTask.FromCanceled(ct);
        if (!_sendLock.Wait(0)) return SendContendedAsync(jsonBody, handler, state, ct);
        return SendHoldingLock(jsonBody, handler, state, ct);
    }

    /// <summary>Another sender holds the lock: queue on the semaphore (this allocates; one sender per connection does not).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendContendedAsync(ReadOnlyMemory<byte> jsonBody, IRpcResponseHandler handler, object? state, CancellationToken ct)
    {
        await _sendLock.WaitAsync(ct).ConfigureAwait(false);
        await SendHoldingLock(jsonBody, handler, state, ct).ConfigureAwait(false);
    }

    /// <summary>Runs with <see cref="_sendLock"/> held and releases it when done: now, or when the returned task completes.</summary>
    private ValueTask SendHoldingLock(ReadOnlyMemory<byte> jsonBody, IRpcResponseHandler handler, object? state, CancellationToken ct)
    {
        Reservation reservation = TryReserve(handler, state, waiter: null);
        if (reservation == Reservation.Full)
        {
            // Slow path: park an operation as the waiter (re-checking under the lock: a slot may have freed meanwhile).
            SendOperation operation = RentOperation();
            operation.Prepare(jsonBody, handler, state, ct);
            operation.RegisterCancellation(); // before parking: once parked, the reader may resume it at once
            ValueTask pending = operation.AsValueTask();
            reservation = TryReserve(handler, state, operation);
            if (reservation == Reservation.Full)
            {
                if (ct.IsCancellationRequested) CancelWaitingSend(operation); // fired before it was parked
                return pending;
            }
            operation.UnregisterCancellation();
            operation.Forget();
            ReturnOperation(operation);
        }
        if (reservation == Reservation.Faulted)
        {
            _sendLock.Release();
            FailBeforeSend(handler, state);
            return default;
        }
        ValueTask<FlushResult> flush;
        try
        {
            WriteRequest(jsonBody.Span);
            flush = _writer.FlushAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            // The request is in the FIFO: the fault fails it with ConnectionLost.
            _sendLock.Release();
            Fault($"{_endpoint.Url}: sending failed: {Describe(e)}");
            return default;
        }
        if (flush.IsCompletedSuccessfully)
        {
            _sendLock.Release();
            return default;
        }
        SendOperation flushing = RentOperation();
        flushing.Prepare(jsonBody, handler, state, CancellationToken.None);
        ValueTask result = flushing.AsValueTask();
        flushing.AwaitFlush(flush);
        return result;
    }

    /// <summary>
    /// Takes a slot and joins the FIFO. When all slots are taken: with <paramref name="waiter"/>, parks it to be resumed
    /// when a slot frees; either way returns Full.
    /// </summary>
    private Reservation TryReserve(IRpcResponseHandler handler, object? state, SendOperation? waiter)
    {
        lock (_sync)
        {
            if (_faulted) return Reservation.Faulted;
            if (_count == _maxInFlight)
            {
                if (waiter is not null) _waitingSend = waiter;
                return Reservation.Full;
            }
            int tail = _head + _count;
            if (tail >= _ring.Length) tail -= _ring.Length;
            _ring[tail] = new PendingRequest(handler, state, Stopwatch.GetTimestamp());
            _count++;
            return Reservation.Reserved;
        }
    }

    /// <summary>Called under <see cref="_sync"/> when a slot frees or the connection faults: unparks the waiting send, if any.</summary>
    private SendOperation? TakeWaitingSend()
    {
        SendOperation? waiting = _waitingSend;
        _waitingSend = null;
        return waiting;
    }

    /// <summary>Resumes an unparked send on the thread pool, never on the reader loop.</summary>
    private static void Resume(SendOperation? waiting)
    {
        if (waiting is not null) ThreadPool.UnsafeQueueUserWorkItem(waiting, preferLocal: false);
    }

    /// <summary>The parked send got a slot (or the connection faulted): send it now. Runs on the thread pool.</summary>
    private void ContinueWaitingSend(SendOperation operation)
    {
        Reservation reservation = TryReserve(operation.Handler!, operation.State, operation);
        if (reservation == Reservation.Full) return; // parked again (not expected: only this holder of the lock reserves)
        operation.UnregisterCancellation();
        if (reservation == Reservation.Faulted)
        {
            FailBeforeSend(operation.Handler!, operation.State);
            CompleteOperation(operation, null);
            return;
        }
        try
        {
            WriteRequest(operation.Body.Span);
            ValueTask<FlushResult> flush = _writer.FlushAsync(CancellationToken.None);
            if (!flush.IsCompletedSuccessfully)
            {
                operation.AwaitFlush(flush);
                return;
            }
        }
        catch (Exception e)
        {
            Fault($"{_endpoint.Url}: sending failed: {Describe(e)}");
        }
        CompleteOperation(operation, null);
    }

    /// <summary>The token of a parked send fired: unpark it and fail its task; nothing was queued.</summary>
    private void CancelWaitingSend(SendOperation operation)
    {
        lock (_sync)
        {
            if (_waitingSend != operation) return; // already resumed
            _waitingSend = null;
        }
        operation.UnregisterCancellation(); // safe inside its own callback
        CompleteOperation(operation, new OperationCanceledException(operation.Token));
    }

    private void OnFlushCompleted(SendOperation operation, Exception? error)
    {
        if (error is not null) Fault($"{_endpoint.Url}: sending failed: {Describe(error)}");
        CompleteOperation(operation, null);
    }

    /// <summary>Releases the send lock, then completes the caller's task (its continuation may send again at once).</summary>
    private void CompleteOperation(SendOperation operation, Exception? error)
    {
        _sendLock.Release();
        operation.Complete(error);
    }

    private SendOperation RentOperation() => Interlocked.Exchange(ref _spareOperation, null) ?? new SendOperation(this);

    private void ReturnOperation(SendOperation operation) => Interlocked.CompareExchange(ref _spareOperation, operation, null);

    private void FailBeforeSend(IRpcResponseHandler handler, object? state) =>
        handler.OnFailure(TxOutcome.ConnectionLost, FaultMessage ?? $"{_endpoint.Url}: the connection has failed", state);

    /// <summary>
    /// Writes <c>POST … Content-Length: N\r\n\r\n</c> and the body. Small bodies: one <c>GetSpan</c> for the worst
    /// case, one <c>Advance</c>.
    /// </summary>
    private void WriteRequest(ReadOnlySpan<byte> body)
    {
        ReadOnlySpan<byte> prefix = _endpoint.RequestHeadPrefix;
        // prefix (fixed per endpoint) + Content-Length digits (≤ 10) + "\r\n\r\n" (4)
        int headMax = prefix.Length + MaxContentLengthDigits + 4;
        if (body.Length <= MaxSingleSpanBody)
        {
            Span<byte> span = _writer.GetSpan(headMax + body.Length);
            int written = WriteHead(span, prefix, body.Length);
            body.CopyTo(span[written..]);
            _writer.Advance(written + body.Length);
        }
        else
        {
            _writer.Advance(WriteHead(_writer.GetSpan(headMax), prefix, body.Length));
            _writer.Write(body);
        }
    }

    private static int WriteHead(Span<byte> destination, ReadOnlySpan<byte> prefix, int contentLength)
    {
        prefix.CopyTo(destination);
        int position = prefix.Length;
        Utf8Formatter.TryFormat(contentLength, destination[position..], out int digits);
        position += digits;
        "\r\n\r\n"u8.CopyTo(destination[position..]);
        return position + 4;
    }

    private static string Describe(Exception e) => e switch
    {
        System.Net.Sockets.SocketException s => DescribeSocketError(s.SocketErrorCode),
        IOException { InnerException: System.Net.Sockets.SocketException s } => DescribeSocketError(s.SocketErrorCode),
        ObjectDisposedException => "the connection was closed",
        _ => e.Message,
    };

    /// <summary>
    /// A send that could not finish synchronously — parked for a slot, or waiting for its flush — and the task its caller
    /// awaits. Written by hand rather than as an async method so that it allocates nothing in any build configuration;
    /// pooled (one spare per connection) and reset when its caller reads the result.
    /// </summary>
    private sealed class SendOperation : IValueTaskSource, IThreadPoolWorkItem
    {
        private static readonly Action<object?> CancelCallback = static s => ((SendOperation)s!).OnCancelled();

        private readonly PipelinedHttpConnection _connection;
        private readonly Action _onFlushed;
        private ManualResetValueTaskSourceCore<bool> _core;
        private ConfiguredValueTaskAwaitable<FlushResult>.ConfiguredValueTaskAwaiter _flush;
        private CancellationTokenRegistration _registration;

        public SendOperation(PipelinedHttpConnection connection)
        {
            _connection = connection;
            _onFlushed = OnFlushed;
        }

        public ReadOnlyMemory<byte> Body { get; private set; }

        public IRpcResponseHandler? Handler { get; private set; }

        public object? State { get; private set; }

        public CancellationToken Token { get; private set; }

        public void Prepare(ReadOnlyMemory<byte> body, IRpcResponseHandler handler, object? state, CancellationToken ct)
        {
            Body = body;
            Handler = handler;
            State = state;
            Token = ct;
        }

        public ValueTask AsValueTask() => new(this, _core.Version);

        /// <summary>Not needed after all (a slot freed before it was parked): reset for reuse.</summary>
        public void Forget()
        {
            Clear();
            _core.Reset();
        }

        public void RegisterCancellation()
        {
            if (Token.CanBeCanceled) _registration = Token.UnsafeRegister(CancelCallback, this);
        }

        public void UnregisterCancellation()
        {
            _registration.Dispose();
            _registration = default;
        }

        private void OnCancelled() => _connection.CancelWaitingSend(this);

        void IThreadPoolWorkItem.Execute() => _connection.ContinueWaitingSend(this);

        public void AwaitFlush(ValueTask<FlushResult> flush)
        {
            _flush = flush.ConfigureAwait(false).GetAwaiter();
            _flush.UnsafeOnCompleted(_onFlushed);
        }

        private void OnFlushed()
        {
            Exception? error = null;
            try
            {
                _flush.GetResult();
            }
            catch (Exception e)
            {
                error = e;
            }
            _flush = default;
            _connection.OnFlushCompleted(this, error);
        }

        public void Complete(Exception? error)
        {
            Clear();
            if (error is null) _core.SetResult(true);
            else _core.SetException(error);
        }

        private void Clear()
        {
            Body = default;
            Handler = null;
            State = null;
            Token = default;
        }

        void IValueTaskSource.GetResult(short token)
        {
            try
            {
                _core.GetResult(token);
            }
            finally
            {
                _core.Reset();
                _connection.ReturnOperation(this);
            }
        }

        ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

        void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
