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
/// Runs on one <see cref="PipelinedHttpConnection"/> and reconnects when it has failed (nodes close idle keep-alive
/// connections). A call that finds its reused connection dead is retried once on a new one, except
/// <c>eth_sendRawTransaction</c>. JSON-RPC errors throw <see cref="RpcException"/>; transport failures throw
/// <see cref="RpcTransportException"/> with a one-line message.
/// </remarks>
public sealed class RpcClient : IAsyncDisposable
{
    public const int DefaultMaxInFlight = 8;

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private PipelinedHttpConnection? _connection;
    private long _lastId;
    private bool _disposed;

    private RpcClient(RpcEndpoint endpoint, TimeSpan timeout, int maxInFlight, PipelinedHttpConnection connection)
    {
        Endpoint = endpoint;
        Timeout = timeout;
        MaxInFlight = maxInFlight;
        _connection = connection;
    }

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

    public static async Task<RpcClient> ConnectAsync(RpcEndpoint endpoint, TimeSpan? timeout = null, int maxInFlight = DefaultMaxInFlight,
        CancellationToken ct = default)
    {
        TimeSpan t = timeout ?? DefaultTimeout;
        PipelinedHttpConnection connection = await PipelinedHttpConnection.ConnectAsync(endpoint, maxInFlight, t, ct).ConfigureAwait(false);
        return new RpcClient(endpoint, t, maxInFlight, connection);
    }

    // ---- typed calls ----------------------------------------------------------------------------------------------

    public async Task<ulong> GetChainIdAsync(CancellationToken ct = default) =>
        ParseQuantity64(await CallAsync("eth_chainId", [], ct).ConfigureAwait(false), "eth_chainId");

    /// <summary><c>eth_getTransactionCount(address, block)</c>; "pending" counts the txs in the node's pool too.</summary>
    public async Task<ulong> GetTransactionCountAsync(Address address, string block = "pending", CancellationToken ct = default) =>
        ParseQuantity64(await CallAsync("eth_getTransactionCount", [address, block], ct).ConfigureAwait(false), "eth_getTransactionCount");

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

    /// <summary><c>eth_sendRawTransaction</c>; returns the hash the node reports. Not retried on a lost connection.</summary>
    public async Task<Hash256> SendRawTransactionAsync(ReadOnlyMemory<byte> signedTransaction, CancellationToken ct = default)
    {
        JsonElement result = await CallAsync("eth_sendRawTransaction", [signedTransaction], ct).ConfigureAwait(false);
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
        CallResult reply = await ExchangeAsync(body, method, retryOnLostConnection: method != "eth_sendRawTransaction", new PendingCall(), ct).ConfigureAwait(false);
        return ResultOf(method, reply, id);
    }

    /// <summary>
    /// Calls <paramref name="method"/> and hands its result to <paramref name="read"/> while the answer is still in
    /// the connection's buffer, so nothing of it is copied: for big answers read once. (A block with thousands of tx
    /// hashes is ~150 KB, which <see cref="CallAsync(string, object?[], CancellationToken)"/> copies onto the large
    /// object heap; once a second that kept a long run's RSS climbing until a gen2 collection.) <paramref name="read"/>
    /// runs on the connection's read loop and must not block; what it throws is rethrown here. Errors as CallAsync.
    /// </summary>
    public async Task<T> CallAsync<T>(string method, object?[] parameters, Func<JsonElement, T> read, CancellationToken ct)
    {
        long id = Interlocked.Increment(ref _lastId);
        byte[] body = BuildRequest(writer => WriteCall(writer, id, method, parameters));
        var call = new PendingCall { ExpectedId = id, Read = result => read(result) };
        CallResult reply = await ExchangeAsync(body, method, retryOnLostConnection: method != "eth_sendRawTransaction", call, ct).ConfigureAwait(false);
        if (reply.ReadError is { } readError) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(readError);
        if (reply.HasValue) return (T)reply.Value!;
        return read(ResultOf(method, reply, id)); // an error or an odd answer: the usual checks on the copied answer
    }

    private JsonElement ResultOf(string method, CallResult reply, long id)
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
    /// object, e.g. "batch too large" or a rate limit) throws <see cref="RpcException"/>. Never retried.
    /// </summary>
    public async Task<IReadOnlyList<RpcBatchResult>> CallBatchAsync(IReadOnlyList<(string Method, object?[] Params)> calls, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(calls);
        if (calls.Count == 0) return [];
        long firstId = Interlocked.Add(ref _lastId, calls.Count) - calls.Count + 1;
        byte[] body = BuildRequest(writer =>
        {
            writer.WriteStartArray();
            for (int i = 0; i < calls.Count; i++) WriteCall(writer, firstId + i, calls[i].Method, calls[i].Params);
            writer.WriteEndArray();
        });
        string label = $"batch of {calls.Count} ({calls[0].Method}…)";
        CallResult reply = await ExchangeAsync(body, label, retryOnLostConnection: false, new PendingCall(), ct).ConfigureAwait(false);
        JsonElement root = reply.Root ?? throw NotJsonRpc(label, reply);
        if (root.ValueKind == JsonValueKind.Object && TryGetError(root, out RpcException? whole)) throw whole;
        if (root.ValueKind != JsonValueKind.Array) throw NotJsonRpc(label, reply);

        var results = new RpcBatchResult?[calls.Count];
        foreach (JsonElement entry in root.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("id"u8, out JsonElement idElement) || !TryReadId(idElement, out long id)) continue;
            long index = id - firstId;
            if (index < 0 || index >= calls.Count) continue;
            if (TryGetError(entry, out RpcException? error)) results[index] = new RpcBatchResult(error);
            else if (entry.TryGetProperty("result"u8, out JsonElement result)) results[index] = new RpcBatchResult(result);
        }
        var ordered = new RpcBatchResult[calls.Count];
        for (int i = 0; i < ordered.Length; i++)
        {
            ordered[i] = results[i] ?? new RpcBatchResult(new RpcException(0, $"the node returned no entry for call {i} ({calls[i].Method}, id {firstId + i})"));
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

    private async Task<CallResult> ExchangeAsync(byte[] body, string what, bool retryOnLostConnection, PendingCall first, CancellationToken ct)
    {
        for (int attempt = 0; ; attempt++)
        {
            (PipelinedHttpConnection connection, bool reused) = await GetConnectionAsync(what, ct).ConfigureAwait(false);
            PendingCall call = attempt == 0 ? first : first.Again();
            await connection.SendAsync(body, call, null, ct).ConfigureAwait(false);
            CallResult reply = await call.Completion.Task.WaitAsync(ct).ConfigureAwait(false);
            if (reply.Failure is null) return reply;
            // A reused connection may have been closed by the node while idle: one retry on a fresh connection.
            if (retryOnLostConnection && reused && attempt == 0) continue;
            throw new RpcTransportException($"{what}: {reply.Failure}");
        }
    }

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

    /// <summary>
    /// What came back for one HTTP exchange: the parsed body (if JSON), or why there was none; for a call with a
    /// reader, what the reader made of a well-formed result (<see cref="Value"/>) instead of the body.
    /// </summary>
    private sealed record CallResult(int Status, JsonElement? Root, string? RawText, string? Failure)
    {
        public bool HasValue { get; init; }
        public object? Value { get; init; }
        public Exception? ReadError { get; init; }
    }

    private sealed class PendingCall : IRpcResponseHandler
    {
        public readonly TaskCompletionSource<CallResult> Completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Reads a well-formed result in place (no copy of the answer); null = copy the answer.</summary>
        public Func<JsonElement, object?>? Read { get; init; }

        public long ExpectedId { get; init; }

        public PendingCall Again() => new() { Read = Read, ExpectedId = ExpectedId };

        public void OnResponse(int status, ReadOnlySequence<byte> body, object? state)
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(body);
                JsonElement root = document.RootElement;
                if (Read is not null && root.ValueKind == JsonValueKind.Object && !root.TryGetProperty("error"u8, out _)
                    && root.TryGetProperty("result"u8, out JsonElement result)
                    && (!root.TryGetProperty("id"u8, out JsonElement replyId) || IdEquals(replyId, ExpectedId)))
                {
                    CallResult read;
                    try
                    {
                        read = new CallResult(status, null, null, null) { HasValue = true, Value = Read(result) };
                    }
                    catch (Exception e)
                    {
                        read = new CallResult(status, null, null, null) { ReadError = e };
                    }
                    Completion.TrySetResult(read);
                    return;
                }
                Completion.TrySetResult(new CallResult(status, root.Clone(), null, null));
            }
            catch (JsonException)
            {
                string text = Encoding.UTF8.GetString(body.Length > 200 ? body.Slice(0, 200) : body);
                Completion.TrySetResult(new CallResult(status, null, text, null));
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
