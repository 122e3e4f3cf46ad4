using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FastLoad.Engine.Primitives;

namespace FastLoad.Engine.Rpc;

/// <summary>The outcome of one call in <see cref="RpcClient.CallBatchAsync"/>: a result or a JSON-RPC error.</summary>
public readonly struct RpcBatchResult
{
    public RpcBatchResult(JsonElement result) => Result = result;

    public RpcBatchResult(RpcException error) => Error = error;

    /// <summary>The call's result (undefined when <see cref="Error"/> is set).</summary>
    public JsonElement Result { get; }

    public RpcException? Error { get; }

    public bool IsSuccess => Error is null;

    public JsonElement GetResultOrThrow() => Error is null ? Result : throw Error;
}

/// <summary>
/// A plain JSON-RPC client for set-up and checks (chain id, nonces, fees, balances, funding, receipts): readable, one
/// <see cref="TaskCompletionSource{TResult}"/> per call, results as <see cref="JsonElement"/> or typed values. Not for
/// the send loop — that drives a <see cref="PipelinedHttpConnection"/> directly.
/// </summary>
/// <remarks>
/// <para>Runs on one <see cref="PipelinedHttpConnection"/> and reconnects when it has failed (nodes close idle keep-alive
/// connections). JSON-RPC errors throw <see cref="RpcException"/>; transport failures throw
/// <see cref="RpcTransportException"/> with a one-line message.</para>
/// <para>Every call is retried under <see cref="Retry"/> (<see cref="RpcRetryPolicy.Default"/>: up to 6 tries, under 15 s
/// of backoff) on HTTP 429 (honouring Retry-After) and 5xx, a refused, reset or closed connection, no response in time,
/// and a 2xx body that is not JSON; never on a JSON-RPC error. When the tries run out, the last failure's own one-line
/// error is thrown. The very first connect (<see cref="ConnectAsync(string, TimeSpan?, CancellationToken)"/>) is not
/// retried, so a wrong URL fails at once.</para>
/// <para>A resent <c>eth_sendRawTransaction</c> may find its tx already there, because an earlier try reached the node
/// although its answer was lost: after such a try, "already known" means accepted, and so does "nonce too low" when
/// the node has the tx under its hash (<c>eth_getTransactionByHash</c>). A batch reply that lacks some entries gets
/// those calls resent, under the same budget.</para>
/// </remarks>
public sealed class RpcClient : IAsyncDisposable
{
    public const int DefaultMaxInFlight = 8;

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private PipelinedHttpConnection? _connection;
    private long _lastId;
    private bool _disposed;

    private long _retries;

    private RpcClient(RpcEndpoint endpoint, TimeSpan timeout, int maxInFlight, PipelinedHttpConnection connection, RpcRetryPolicy retry)
    {
        Endpoint = endpoint;
        Timeout = timeout;
        MaxInFlight = maxInFlight;
        _connection = connection;
        Retry = retry;
    }

    /// <summary>How calls are retried.</summary>
    public RpcRetryPolicy Retry { get; }

    /// <summary>Retries made so far (tries after the first, summed over all calls).</summary>
    public long Retries => Interlocked.Read(ref _retries);

    public RpcEndpoint Endpoint { get; }

    /// <summary>Bounds the connect and each response.</summary>
    public TimeSpan Timeout { get; }

    public int MaxInFlight { get; }

    /// <summary>
    /// Parses <paramref name="url"/> (<see cref="ArgumentException"/> if it is not <c>http://host:port/path</c>) and
    /// connects (<see cref="RpcTransportException"/>, e.g. "cannot connect to http://127.0.0.1:1234/: connection refused — is the node running?").
    /// </summary>
    public static Task<RpcClient> ConnectAsync(string url, TimeSpan? timeout = null, CancellationToken ct = default) =>
        ConnectAsync(RpcEndpoint.Parse(url), timeout, DefaultMaxInFlight, ct);

    /// <summary>As <see cref="ConnectAsync(string, TimeSpan?, CancellationToken)"/>, with a retry policy (null: <see cref="RpcRetryPolicy.Default"/>).</summary>
    public static Task<RpcClient> ConnectAsync(string url, RpcRetryPolicy? retry, TimeSpan? timeout = null, CancellationToken ct = default) =>
        ConnectAsync(RpcEndpoint.Parse(url), timeout, DefaultMaxInFlight, ct, retry);

    public static async Task<RpcClient> ConnectAsync(RpcEndpoint endpoint, TimeSpan? timeout = null, int maxInFlight = DefaultMaxInFlight,
        CancellationToken ct = default, RpcRetryPolicy? retry = null)
    {
        TimeSpan t = timeout ?? DefaultTimeout;
        PipelinedHttpConnection connection = await PipelinedHttpConnection.ConnectAsync(endpoint, maxInFlight, t, ct).ConfigureAwait(false);
        return new RpcClient(endpoint, t, maxInFlight, connection, retry ?? RpcRetryPolicy.Default);
    }

    // ---- typed calls ----------------------------------------------------------------------------------------------

    public async Task<ulong> GetChainIdAsync(CancellationToken ct = default) =>
        ParseQuantity64(await CallAsync("eth_chainId", [], ct).ConfigureAwait(false), "eth_chainId");

    /// <summary><c>eth_getTransactionCount(address, block)</c>; "pending" counts the txs in the node's pool too.</summary>
    public async Task<ulong> GetTransactionCountAsync(Address address, string block = "pending", CancellationToken ct = default) =>
        ParseQuantity64(await CallAsync("eth_getTransactionCount", [address, block], ct).ConfigureAwait(false), "eth_getTransactionCount");

    /// <summary>The latest block's baseFeePerGas; null on a chain without one (before EIP-1559).</summary>
    public async Task<UInt256?> GetLatestBaseFeeAsync(CancellationToken ct = default) =>
        await GetBlockByNumberAsync("latest", false, ct).ConfigureAwait(false) is { ValueKind: JsonValueKind.Object } block
            && block.TryGetProperty("baseFeePerGas", out JsonElement fee)
            ? ParseQuantity(fee, "eth_getBlockByNumber")
            : null;

    public async Task<UInt256> GetGasPriceAsync(CancellationToken ct = default) =>
        ParseQuantity(await CallAsync("eth_gasPrice", [], ct).ConfigureAwait(false), "eth_gasPrice");

    public async Task<UInt256> GetMaxPriorityFeePerGasAsync(CancellationToken ct = default) =>
        ParseQuantity(await CallAsync("eth_maxPriorityFeePerGas", [], ct).ConfigureAwait(false), "eth_maxPriorityFeePerGas");

    public async Task<UInt256> GetBalanceAsync(Address address, string block = "latest", CancellationToken ct = default) =>
        ParseQuantity(await CallAsync("eth_getBalance", [address, block], ct).ConfigureAwait(false), "eth_getBalance");

    public async Task<ulong> GetBlockNumberAsync(CancellationToken ct = default) =>
        ParseQuantity64(await CallAsync("eth_blockNumber", [], ct).ConfigureAwait(false), "eth_blockNumber");

    /// <summary><c>eth_getBlockByNumber</c> for a tag ("latest", "pending", "0x1b4"…); null if there is no such block.</summary>
    public async Task<JsonElement?> GetBlockByNumberAsync(string block = "latest", bool fullTransactions = false, CancellationToken ct = default) =>
        NullToNone(await CallAsync("eth_getBlockByNumber", [block, fullTransactions], ct).ConfigureAwait(false));

    public Task<JsonElement?> GetBlockByNumberAsync(ulong number, bool fullTransactions = false, CancellationToken ct = default) =>
        GetBlockByNumberAsync(Quantity(number), fullTransactions, ct);

    /// <summary>
    /// <c>eth_sendRawTransaction</c>; returns the hash the node reports. Retried like every call; after a try that may
    /// have reached the node, "already known" (or "nonce too low" for a tx the node has) is taken as accepted.
    /// </summary>
    public async Task<Hash256> SendRawTransactionAsync(ReadOnlyMemory<byte> signedTransaction, CancellationToken ct = default)
    {
        long id = Interlocked.Increment(ref _lastId);
        byte[] body = BuildRequest(writer => WriteCall(writer, id, "eth_sendRawTransaction", [signedTransaction]));
        var budget = new RetryBudget();
        CallResult reply = await ExchangeAsync(body, "eth_sendRawTransaction", budget, ct).ConfigureAwait(false);
        JsonElement result;
        try
        {
            result = ReadSingle(reply, "eth_sendRawTransaction", id);
        }
        catch (RpcException error) when (budget.MayHaveReachedNode && error.Outcome is TxOutcome.AlreadyKnown or TxOutcome.NonceTooLow)
        {
            Hash256 own = HashOf(signedTransaction.Span);
            if (await IsOwnTxAsync(error, own, ct).ConfigureAwait(false)) return own;
            throw;
        }
        if (result.ValueKind == JsonValueKind.String && Hash256.TryParse(result.GetString(), out Hash256 hash)) return hash;
        throw new RpcTransportException($"eth_sendRawTransaction: {Endpoint.Url} answered {Snippet(result)}, not a 32-byte tx hash")
        {
            Outcome = TxOutcome.ServerError,
        };
    }

    /// <summary><c>eth_getTransactionReceipt</c>; null while the tx is not mined.</summary>
    public async Task<JsonElement?> GetTransactionReceiptAsync(Hash256 hash, CancellationToken ct = default) =>
        NullToNone(await CallAsync("eth_getTransactionReceipt", [hash], ct).ConfigureAwait(false));

    /// <summary>Polls for the receipt every 200 ms until it exists or <paramref name="deadline"/> passes; null on time-out.</summary>
    public async Task<JsonElement?> WaitForReceiptAsync(Hash256 hash, System.Diagnostics.Stopwatch clock, TimeSpan deadline, CancellationToken ct = default)
    {
        while (true)
        {
            JsonElement? receipt = await GetTransactionReceiptAsync(hash, ct).ConfigureAwait(false);
            if (receipt is { ValueKind: JsonValueKind.Object }) return receipt;
            if (clock.Elapsed > deadline) return null;
            await Task.Delay(200, ct).ConfigureAwait(false);
        }
    }

    // ---- generic calls ---------------------------------------------------------------------------------------------

    /// <summary>Calls <paramref name="method"/>; see <see cref="CallAsync(string, object?[], CancellationToken)"/> for the parameter types.</summary>
    public Task<JsonElement> CallAsync(string method, params object?[] parameters) => CallAsync(method, parameters, CancellationToken.None);

    /// <summary>
    /// Calls <paramref name="method"/> and returns its result. Parameters may be null, string, bool, integers (JSON
    /// numbers: format quantities with <see cref="Quantity(ulong)"/>), <see cref="UInt256"/> (0x quantity),
    /// <see cref="Address"/>, <see cref="Hash256"/>, byte arrays or <see cref="ReadOnlyMemory{T}"/> of bytes (0x data),
    /// <see cref="JsonElement"/>, string-keyed dictionaries (objects) and other sequences (arrays).
    /// </summary>
    public async Task<JsonElement> CallAsync(string method, object?[] parameters, CancellationToken ct)
    {
        long id = Interlocked.Increment(ref _lastId);
        byte[] body = BuildRequest(writer => WriteCall(writer, id, method, parameters));
        var budget = new RetryBudget { Idempotent = method != "eth_sendRawTransaction" };
        CallResult reply = await ExchangeAsync(body, method, budget, ct).ConfigureAwait(false);
        return ReadSingle(reply, method, id);
    }

    /// <summary>
    /// Calls <paramref name="method"/> and hands its result to <paramref name="read"/> while the answer is still in
    /// the connection's buffer, so nothing of it is copied: for big answers read once. (A block with thousands of tx
    /// hashes is ~150 KB, which <see cref="CallAsync(string, object?[], CancellationToken)"/> copies onto the large
    /// object heap; once a second that kept a long run's RSS climbing until a gen2 collection.) <paramref name="read"/>
    /// runs on the connection's read loop and must not block; what it throws is rethrown here. Errors and retries as
    /// CallAsync.
    /// </summary>
    public async Task<T> CallAsync<T>(string method, object?[] parameters, Func<JsonElement, T> read, CancellationToken ct)
    {
        long id = Interlocked.Increment(ref _lastId);
        byte[] body = BuildRequest(writer => WriteCall(writer, id, method, parameters));
        var budget = new RetryBudget { Idempotent = method != "eth_sendRawTransaction" };
        CallResult reply = await ExchangeAsync(body, method, budget, ct, result => read(result), id).ConfigureAwait(false);
        if (reply.ReadError is { } readError) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(readError);
        if (reply.HasValue) return (T)reply.Value!;
        return read(ReadSingle(reply, method, id)); // an error or an odd answer: the usual checks on the copied answer
    }

    /// <summary>The result of a single call's reply, or the error it stands for.</summary>
    private JsonElement ReadSingle(CallResult reply, string method, long id)
    {
        JsonElement root = reply.Root ?? throw NotJsonRpc(method, reply);
        if (root.ValueKind != JsonValueKind.Object) throw NotJsonRpc(method, reply);
        if (TryGetError(root, out RpcException? error)) throw error;
        if (!root.TryGetProperty("result"u8, out JsonElement result)) throw NotJsonRpc(method, reply);
        if (root.TryGetProperty("id"u8, out JsonElement replyId) && !IdEquals(replyId, id))
            throw new RpcTransportException($"{method}: {Endpoint.Url} answered id {replyId.GetRawText()} to request id {id}") { Outcome = TxOutcome.ServerError };
        return result;
    }

    /// <summary>
    /// Sends all <paramref name="calls"/> as one JSON-RPC batch and returns one result per call, in the same order.
    /// Per-call errors come back in <see cref="RpcBatchResult.Error"/>; an error for the whole batch (a single error
    /// object, e.g. "batch too large" or a rate limit) throws <see cref="RpcException"/>. Retried under <see cref="Retry"/>
    /// like single calls; calls the reply has no entry for are resent, under the same budget.
    /// </summary>
    public async Task<IReadOnlyList<RpcBatchResult>> CallBatchAsync(IReadOnlyList<(string Method, object?[] Params)> calls, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(calls);
        if (calls.Count == 0) return [];
        string label = $"batch of {calls.Count} ({calls[0].Method}…)";
        var results = new RpcBatchResult?[calls.Count];
        var ids = new long[calls.Count];
        var budget = new RetryBudget();
        List<int> pending = [.. Enumerable.Range(0, calls.Count)];
        while (true)
        {
            long firstId = Interlocked.Add(ref _lastId, pending.Count) - pending.Count + 1;
            for (int k = 0; k < pending.Count; k++) ids[pending[k]] = firstId + k;
            byte[] body = BuildRequest(writer =>
            {
                writer.WriteStartArray();
                for (int k = 0; k < pending.Count; k++) WriteCall(writer, firstId + k, calls[pending[k]].Method, calls[pending[k]].Params);
                writer.WriteEndArray();
            });
            CallResult reply = await ExchangeAsync(body, label, budget, ct).ConfigureAwait(false);
            JsonElement root = reply.Root ?? throw NotJsonRpc(label, reply);
            if (root.ValueKind == JsonValueKind.Object && TryGetError(root, out RpcException? whole)) throw whole;
            if (root.ValueKind != JsonValueKind.Array) throw NotJsonRpc(label, reply);

            foreach (JsonElement entry in root.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("id"u8, out JsonElement idElement) || !TryReadId(idElement, out long id)) continue;
                long k = id - firstId;
                if (k < 0 || k >= pending.Count) continue;
                int index = pending[(int)k];
                if (TryGetError(entry, out RpcException? error)) results[index] = new RpcBatchResult(error);
                else if (entry.TryGetProperty("result"u8, out JsonElement result)) results[index] = new RpcBatchResult(result);
            }
            pending.RemoveAll(i => results[i] is not null);
            if (pending.Count == 0) break;
            // Entries missing: the node may have carried those calls out, so a resend may meet its own txs.
            budget.MayHaveReachedNode = true;
            TimeSpan? delay = budget.Next(Retry, null);
            if (delay is null) break;
            await WaitToRetryAsync(budget, label, $"{Endpoint.Url} answered without an entry for {pending.Count} call(s)", delay.Value, ct).ConfigureAwait(false);
        }

        var ordered = new RpcBatchResult[calls.Count];
        for (int i = 0; i < ordered.Length; i++)
        {
            RpcBatchResult? result = results[i];
            if (result is { Error: RpcException error } && budget.MayHaveReachedNode && calls[i].Method == "eth_sendRawTransaction"
                && error.Outcome is TxOutcome.AlreadyKnown or TxOutcome.NonceTooLow && RawTxParameter(calls[i].Params) is byte[] raw)
            {
                Hash256 own = HashOf(raw);
                if (await IsOwnTxAsync(error, own, ct).ConfigureAwait(false)) result = new RpcBatchResult(HashElement(own));
            }
            ordered[i] = result ?? new RpcBatchResult(new RpcException(0, $"the node returned no entry for call {i} ({calls[i].Method}, id {ids[i]})"));
        }
        return ordered;
    }

    /// <summary>A JSON-RPC quantity: <c>0x</c> and lowercase hex without leading zeros (<c>0x0</c> for zero).</summary>
    public static string Quantity(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>A JSON-RPC quantity for a 256-bit value.</summary>
    public static string Quantity(UInt256 value)
    {
        if (value.IsUInt64) return Quantity(value.U0);
        Span<byte> bytes = stackalloc byte[32];
        value.WriteBigEndian32(bytes);
        string hex = Convert.ToHexStringLower(bytes).TrimStart('0');
        return "0x" + hex;
    }

    public async ValueTask DisposeAsync()
    {
        await _connectLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    // ---- exchange --------------------------------------------------------------------------------------------------

    /// <summary>
    /// One HTTP exchange, retried under <see cref="Retry"/> while it fails transiently. Returns the reply (the caller
    /// reads a non-2xx or non-JSON one into its one-line error); throws <see cref="RpcTransportException"/> when the
    /// last try got no reply at all.
    /// </summary>
    private async Task<CallResult> ExchangeAsync(byte[] body, string what, RetryBudget budget, CancellationToken ct,
        Func<JsonElement, object?>? read = null, long expectedId = 0)
    {
        while (true)
        {
            CallResult reply;
            bool sent = false, reused = false;
            PipelinedHttpConnection? connection = null;
            try
            {
                (connection, reused) = await GetConnectionAsync(what, ct).ConfigureAwait(false);
                var call = new PendingCall(connection) { Read = read, ExpectedId = expectedId };
                await connection.SendAsync(body, call, null, ct).ConfigureAwait(false);
                sent = true;
                reply = await call.Completion.Task.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (RpcTransportException e) when (!ct.IsCancellationRequested)
            {
                reply = new CallResult(0, null, null, e.Message.StartsWith(what + ": ", StringComparison.Ordinal) ? e.Message[(what.Length + 2)..] : e.Message);
            }

            string? reason;
            TimeSpan? retryAfter = null;
            if (reply.Failure is not null)
            {
                reason = reply.Failure;
                // Sent and then lost (reset, closed, timed out): the node may have carried it out.
                if (sent) budget.MayHaveReachedNode = true;
                // No answer for the whole timeout: the node is silent. Asking it again would only wait as long once more
                // (6 tries of 30 s kept a run against a stalled node in set-up for 3 minutes): one line now instead.
                if (sent && connection is { TimedOut: true }) throw new RpcTransportException($"{what}: {reply.Failure}");
                // A reused connection may have been closed by the node while idle: one free, immediate try on a new one.
                if (reused && !budget.FreshConnectionTried && (budget.Idempotent || Retry.MaxAttempts > 1))
                {
                    budget.FreshConnectionTried = true;
                    continue;
                }
            }
            else if (RpcRetryPolicy.IsTransientStatus(reply.Status))
            {
                reason = $"{Endpoint.Url} answered HTTP {reply.Status}";
                if (reply.RetryAfterSeconds >= 0) retryAfter = TimeSpan.FromSeconds(reply.RetryAfterSeconds);
                if (reply.Status is not (429 or 503)) budget.MayHaveReachedNode = true;   // a 500 may come after the work
            }
            else if (reply.Root is null && !reply.HasValue && reply.ReadError is null && reply.Status is >= 200 and < 300)
            {
                reason = $"{Endpoint.Url} answered HTTP {reply.Status} with a body that is not JSON";
                budget.MayHaveReachedNode = true;
            }
            else if (reply.Status is 401 or 403)
            {
                // Credentials: whatever the body says (some gateways dress it as a JSON-RPC error), asking again will not help.
                throw NotJsonRpc(what, reply);
            }
            else
            {
                return reply;
            }

            TimeSpan? delay = budget.Next(Retry, retryAfter);
            if (delay is null)
            {
                if (reply.Failure is not null) throw new RpcTransportException($"{what}: {reply.Failure}");
                return reply;
            }
            await WaitToRetryAsync(budget, what, reason, delay.Value, ct).ConfigureAwait(false);
        }
    }

    private async Task WaitToRetryAsync(RetryBudget budget, string what, string reason, TimeSpan delay, CancellationToken ct)
    {
        Interlocked.Increment(ref _retries);
        Retry.OnRetry?.Invoke(new RpcRetry(what, budget.Attempts, Retry.MaxAttempts, delay, reason));
        await Retry.Delay(delay, ct).ConfigureAwait(false);
    }

    /// <summary>Tries and waiting spent on one logical call (its resends of missing batch entries included).</summary>
    private sealed class RetryBudget
    {
        public int Attempts;
        public TimeSpan Waited;

        /// <summary>A failed try may have reached the node (sent, then no usable answer).</summary>
        public bool MayHaveReachedNode;

        /// <summary>The free retry after a reused connection failed has been spent.</summary>
        public bool FreshConnectionTried;

        /// <summary>A read: safe to resend even with retries off (a send is resent only when the policy retries).</summary>
        public bool Idempotent;

        /// <summary>Counts a failed try; the wait before the next, or null when the policy says stop.</summary>
        public TimeSpan? Next(RpcRetryPolicy policy, TimeSpan? retryAfter)
        {
            Attempts++;
            TimeSpan? delay = policy.NextDelay(Attempts, retryAfter, Waited);
            if (delay is TimeSpan d) Waited += d;
            return delay;
        }
    }

    /// <summary>
    /// After a resend, whether a "nonce too low" or "already known" answer is about our own tx: "already known" always
    /// is (the node has that exact tx); "nonce too low" is when the node knows the tx by its hash.
    /// </summary>
    private async Task<bool> IsOwnTxAsync(RpcException error, Hash256 hash, CancellationToken ct)
    {
        if (error.Outcome == TxOutcome.AlreadyKnown) return true;
        try
        {
            JsonElement tx = await CallAsync("eth_getTransactionByHash", [hash], ct).ConfigureAwait(false);
            return tx.ValueKind == JsonValueKind.Object;
        }
        catch (Exception e) when (e is RpcException or RpcTransportException)
        {
            return false;
        }
    }

    private static Hash256 HashOf(ReadOnlySpan<byte> raw)
    {
        Span<byte> hash = stackalloc byte[32];
        Crypto.Keccak256.Hash(raw, hash);
        return new Hash256(hash);
    }

    private static JsonElement HashElement(Hash256 hash)
    {
        using JsonDocument document = JsonDocument.Parse($"\"{Hex.ToPrefixedString(hash.Bytes)}\"");
        return document.RootElement.Clone();
    }

    /// <summary>The raw tx of an <c>eth_sendRawTransaction</c> call's parameters (0x-hex string or bytes); null otherwise.</summary>
    private static byte[]? RawTxParameter(object?[] parameters) => parameters is [var first, ..] ? first switch
    {
        string hex => Hex.TryDecode(hex, out byte[] bytes) ? bytes : null,
        byte[] bytes => bytes,
        ReadOnlyMemory<byte> memory => memory.ToArray(),
        Memory<byte> memory => memory.ToArray(),
        _ => null,
    } : null;

    private async Task<(PipelinedHttpConnection Connection, bool Reused)> GetConnectionAsync(string what, CancellationToken ct)
    {
        PipelinedHttpConnection? current = _connection;
        if (current is { IsFaulted: false }) return (current, true);
        await _connectLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            current = _connection;
            if (current is { IsFaulted: false }) return (current, true);
            if (current is not null) await current.DisposeAsync().ConfigureAwait(false);
            _connection = null;
            try
            {
                _connection = await PipelinedHttpConnection.ConnectAsync(Endpoint, MaxInFlight, Timeout, ct).ConfigureAwait(false);
            }
            catch (RpcTransportException e)
            {
                throw new RpcTransportException($"{what}: {e.Message}", e);
            }
            return (_connection, false);
        }
        finally
        {
            _connectLock.Release();
        }
    }

    /// <summary>What came back for one HTTP exchange: the parsed body (if JSON), or why there was none.</summary>
    /// <remarks>For a call with a reader, what the reader made of a well-formed result (<see cref="Value"/>) instead of the body.</remarks>
    private sealed record CallResult(int Status, JsonElement? Root, string? RawText, string? Failure, int RetryAfterSeconds = -1)
    {
        public bool HasValue { get; init; }
        public object? Value { get; init; }
        public Exception? ReadError { get; init; }
    }

    private sealed class PendingCall(PipelinedHttpConnection connection) : IRpcResponseHandler
    {
        public readonly TaskCompletionSource<CallResult> Completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Reads a well-formed result in place (no copy of the answer); null = copy the answer.</summary>
        public Func<JsonElement, object?>? Read { get; init; }

        public long ExpectedId { get; init; }

        public void OnResponse(int status, ReadOnlySequence<byte> body, object? state)
        {
            int retryAfter = connection.ResponseRetryAfterSeconds;
            try
            {
                using JsonDocument document = JsonDocument.Parse(body);
                JsonElement root = document.RootElement;
                if (Read is not null && status is >= 200 and < 300 && root.ValueKind == JsonValueKind.Object && !root.TryGetProperty("error"u8, out _)
                    && root.TryGetProperty("result"u8, out JsonElement result)
                    && (!root.TryGetProperty("id"u8, out JsonElement replyId) || IdEquals(replyId, ExpectedId)))
                {
                    CallResult read;
                    try
                    {
                        read = new CallResult(status, null, null, null, retryAfter) { HasValue = true, Value = Read(result) };
                    }
                    catch (Exception e)
                    {
                        read = new CallResult(status, null, null, null, retryAfter) { ReadError = e };
                    }
                    Completion.TrySetResult(read);
                    return;
                }
                Completion.TrySetResult(new CallResult(status, root.Clone(), null, null, retryAfter));
            }
            catch (JsonException)
            {
                string text = Encoding.UTF8.GetString(body.Length > 200 ? body.Slice(0, 200) : body);
                Completion.TrySetResult(new CallResult(status, null, text, null, retryAfter));
            }
        }

        public void OnFailure(TxOutcome reason, string message, object? state) =>
            Completion.TrySetResult(new CallResult(0, null, null, message));
    }

    private RpcTransportException NotJsonRpc(string what, CallResult reply)
    {
        string shown = reply.Root is JsonElement root ? Snippet(root) : $"'{OneLine(reply.RawText ?? "")}'";
        string message = reply.Status is >= 200 and < 300
            ? $"{what}: {Endpoint.Url} answered HTTP {reply.Status} with {shown}, which is not a JSON-RPC response — is this the node's RPC URL?"
            : reply.Status is 401 or 403
                ? $"{what}: {Endpoint.Url} answered HTTP {reply.Status} ({(reply.Status == 401 ? "unauthorized" : "forbidden")}): check the credentials — --header 'Authorization: Bearer $TOKEN', or user:password@ in the URL"
                : $"{what}: {Endpoint.Url} answered HTTP {reply.Status} with {shown}";
        return new RpcTransportException(message) { Outcome = reply.Status == 429 ? TxOutcome.RateLimited : TxOutcome.ServerError };
    }

    private static bool TryGetError(JsonElement entry, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RpcException? error)
    {
        error = null;
        if (!entry.TryGetProperty("error"u8, out JsonElement e) || e.ValueKind == JsonValueKind.Null) return false;
        if (e.ValueKind == JsonValueKind.String)
        {
            error = new RpcException(0, e.GetString() ?? "");
            return true;
        }
        int code = e.ValueKind == JsonValueKind.Object && e.TryGetProperty("code"u8, out JsonElement c) && c.TryGetInt32(out int value) ? value : 0;
        string message = e.ValueKind == JsonValueKind.Object && e.TryGetProperty("message"u8, out JsonElement m) && m.ValueKind == JsonValueKind.String
            ? m.GetString() ?? ""
            : e.GetRawText();
        string? data = e.ValueKind == JsonValueKind.Object && e.TryGetProperty("data"u8, out JsonElement d) ? d.GetRawText() : null;
        error = new RpcException(code, message, data);
        return true;
    }

    private static bool TryReadId(JsonElement id, out long value)
    {
        value = 0;
        return id.ValueKind switch
        {
            JsonValueKind.Number => id.TryGetInt64(out value),
            JsonValueKind.String => long.TryParse(id.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out value),
            _ => false,
        };
    }

    private static bool IdEquals(JsonElement replyId, long id) =>
        replyId.ValueKind == JsonValueKind.Null || (TryReadId(replyId, out long value) && value == id);

    private static JsonElement? NullToNone(JsonElement element) => element.ValueKind == JsonValueKind.Null ? null : element;

    private static ulong ParseQuantity64(JsonElement element, string method)
    {
        UInt256 value = ParseQuantity(element, method);
        return value.IsUInt64
            ? value.U0
            : throw new RpcTransportException($"{method}: {value} does not fit in 64 bits") { Outcome = TxOutcome.ServerError };
    }

    private static UInt256 ParseQuantity(JsonElement element, string method)
    {
        if (element.ValueKind == JsonValueKind.String && element.GetString() is { } text && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && UInt256.TryParse(text, out UInt256 value))
            return value;
        if (element.ValueKind == JsonValueKind.Number && element.TryGetUInt64(out ulong number)) return number;
        throw new RpcTransportException($"{method}: expected a 0x quantity, got {Snippet(element)}") { Outcome = TxOutcome.ServerError };
    }

    private static string Snippet(JsonElement element) => OneLine(element.GetRawText());

    private static string OneLine(string text)
    {
        string flat = text.ReplaceLineEndings(" ");
        return flat.Length > 120 ? flat[..120] + "…" : flat;
    }

    // ---- request writing -------------------------------------------------------------------------------------------

    private static byte[] BuildRequest(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteCall(Utf8JsonWriter writer, long id, string method, object?[]? parameters)
    {
        writer.WriteStartObject();
        writer.WriteString("jsonrpc"u8, "2.0"u8);
        writer.WriteNumber("id"u8, id);
        writer.WriteString("method"u8, method);
        writer.WritePropertyName("params"u8);
        writer.WriteStartArray();
        foreach (object? parameter in parameters ?? []) WriteValue(writer, parameter);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case uint u:
                writer.WriteNumberValue(u);
                break;
            case ulong ul:
                writer.WriteNumberValue(ul);
                break;
            case UInt256 u256:
                writer.WriteStringValue(Quantity(u256));
                break;
            case Address address:
                writer.WriteStringValue(Hex.ToPrefixedString(address.Bytes));
                break;
            case Hash256 hash:
                writer.WriteStringValue(Hex.ToPrefixedString(hash.Bytes));
                break;
            case byte[] bytes:
                writer.WriteStringValue(Hex.ToPrefixedString(bytes));
                break;
            case ReadOnlyMemory<byte> memory:
                writer.WriteStringValue(Hex.ToPrefixedString(memory.Span));
                break;
            case Memory<byte> memory:
                writer.WriteStringValue(Hex.ToPrefixedString(memory.Span));
                break;
            case JsonElement element:
                element.WriteTo(writer);
                break;
            case IEnumerable<KeyValuePair<string, object?>> members:
                writer.WriteStartObject();
                foreach (KeyValuePair<string, object?> member in members)
                {
                    writer.WritePropertyName(member.Key);
                    WriteValue(writer, member.Value);
                }
                writer.WriteEndObject();
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (object? item in items) WriteValue(writer, item);
                writer.WriteEndArray();
                break;
            default:
                throw new ArgumentException(
                    $"a JSON-RPC parameter of type {value.GetType().Name} is not supported: pass a string, number, bool, Address, Hash256, UInt256, bytes, JsonElement, dictionary or array");
        }
    }
}
