using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text.Json;
using FastLoad.Engine.Crypto;
using FastLoad.Engine.Primitives;

namespace FastLoad.Engine.Sink;

/// <summary>
/// Answers one JSON-RPC body (a request or a batch) the way the null sink does: every
/// <c>eth_sendRawTransaction</c> is hex-decoded, checked structurally with
/// <see cref="TxEnvelopeValidator"/> and answered with its Keccak-256 hash; the handful of methods a
/// load run asks before sending get fixed answers. One instance per connection (it owns scratch
/// buffers); not thread-safe. A well-formed body costs no allocation.
/// </summary>
/// <remarks>
/// Ids are echoed byte for byte as sent. A request without an id is a notification: it is carried out
/// (a tx is still counted) but gets no answer, and a batch of notifications gets an empty body.
/// Invalid JSON anywhere in the body answers one -32700 error with id null, and nothing in that body
/// is counted.
/// </remarks>
public sealed class SinkRpcProcessor : IDisposable
{
    private const int MaxMethodLength = 64;

    // The fixed parts of the answers. Each entry is {"jsonrpc":"2.0","id":ID,"result":…} or ,"error":{…}}.
    private static ReadOnlySpan<byte> EntryStart => "{\"jsonrpc\":\"2.0\",\"id\":"u8;
    private static ReadOnlySpan<byte> ResultStart => ",\"result\":"u8;
    private static ReadOnlySpan<byte> IdNull => "null"u8;
    private static ReadOnlySpan<byte> ParseError => "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"parse error\"}}"u8;
    private static ReadOnlySpan<byte> EmptyBatchError => "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"invalid request: empty batch\"}}"u8;
    private static ReadOnlySpan<byte> InvalidRequestTail => ",\"error\":{\"code\":-32600,\"message\":\"invalid request\"}}"u8;
    private static ReadOnlySpan<byte> MethodNotFoundTail => ",\"error\":{\"code\":-32601,\"message\":\"method not found\"}}"u8;
    private static ReadOnlySpan<byte> MissingTxTail => ",\"error\":{\"code\":-32602,\"message\":\"missing value for required argument 0\"}}"u8;
    private static ReadOnlySpan<byte> NotHexTail => ",\"error\":{\"code\":-32602,\"message\":\"invalid argument 0: not a 0x-prefixed hex string of even length\"}}"u8;
    private static ReadOnlySpan<byte> MalformedTxTail => ",\"error\":{\"code\":-32000,\"message\":\"rlp: invalid transaction\"}}"u8;
    private static ReadOnlySpan<byte> EmptyTxTail => ",\"error\":{\"code\":-32000,\"message\":\"rlp: empty transaction\"}}"u8;
    private static ReadOnlySpan<byte> UnsupportedTypeTail => ",\"error\":{\"code\":-32000,\"message\":\"transaction type not supported\"}}"u8;

    private static ReadOnlySpan<byte> ZeroResult => "\"0x0\""u8;
    private static ReadOnlySpan<byte> GasPriceResult => "\"0x3b9aca00\""u8;
    private static ReadOnlySpan<byte> BalanceResult => "\"0xffffffffffffffffffffffffffffff\""u8;
    private static ReadOnlySpan<byte> EstimateGasResult => "\"0x5208\""u8;

    private readonly SinkResults _results;
    private readonly PooledBuffer _response = new(16 * 1024);
    private readonly PooledBuffer _tx = new(1024);
    private readonly PooledBuffer _unescaped = new(256);

    public SinkRpcProcessor(ulong chainId) : this(new SinkResults(chainId))
    {
    }

    internal SinkRpcProcessor(SinkResults results) => _results = results;

    /// <summary>Transactions accepted by the last <see cref="Process"/> call.</summary>
    public int Accepted { get; private set; }

    /// <summary>Transactions rejected by the last <see cref="Process"/> call (bad hex, bad RLP, missing param).</summary>
    public int Rejected { get; private set; }

    /// <summary>
    /// Answers <paramref name="body"/>; the returned bytes (the HTTP response body, possibly empty)
    /// stay valid until the next call.
    /// </summary>
    public ReadOnlySpan<byte> Process(ReadOnlySpan<byte> body)
    {
        _response.Reset();
        Accepted = 0;
        Rejected = 0;
        try
        {
            ProcessBody(body);
        }
        catch (JsonException)
        {
            // Invalid JSON is rare and its answer is cold; the reader reports it by throwing.
            _response.Reset();
            Accepted = 0;
            Rejected = 0;
            _response.Write(ParseError);
        }
        return _response.WrittenSpan;
    }

    private void ProcessBody(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read()) ThrowEmpty();
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            _response.Write((byte)'[');
            bool any = false, entries = false;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                entries = true;
                int mark = _response.Length;
                if (any) _response.Write((byte)',');
                if (Request(ref reader, body)) any = true;
                else _response.Length = mark;
            }
            if (!entries)
            {
                _response.Reset();
                _response.Write(EmptyBatchError);
            }
            else if (any)
            {
                _response.Write((byte)']');
            }
            else
            {
                _response.Reset();
            }
        }
        else
        {
            Request(ref reader, body);
        }
        // Only whitespace may follow; anything else makes the reader throw.
        if (reader.Read()) ThrowEmpty();
    }

    /// <summary>Answers the request at the reader (a StartObject, or anything else in a batch); false for a notification.</summary>
    private bool Request(ref Utf8JsonReader reader, ReadOnlySpan<byte> body)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            WriteEntryStart(IdNull);
            _response.Write(InvalidRequestTail);
            return true;
        }

        ReadOnlySpan<byte> method = default;
        bool hasMethod = false, hasId = false, badId = false, hasParams = false;
        ReadOnlySpan<byte> id = IdNull;
        Utf8JsonReader parameters = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("method"u8))
            {
                reader.Read();
                hasMethod = reader.TokenType == JsonTokenType.String;
                if (hasMethod) method = StringValue(ref reader, MaxMethodLength);
                else reader.Skip();
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                hasId = true;
                badId = false;
                switch (reader.TokenType)
                {
                    case JsonTokenType.Number:
                        id = reader.ValueSpan;
                        break;
                    case JsonTokenType.String:
                        // The string with its quotes, exactly as sent (escapes included).
                        id = body.Slice((int)reader.TokenStartIndex, reader.ValueSpan.Length + 2);
                        break;
                    case JsonTokenType.Null:
                        id = IdNull;
                        break;
                    default:
                        id = IdNull;
                        badId = true;
                        reader.Skip();
                        break;
                }
            }
            else if (reader.ValueTextEquals("params"u8))
            {
                reader.Read();
                parameters = reader;   // a copy of the reader's state at the params value, read after the object
                hasParams = true;
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        WriteEntryStart(id);
        if (badId || !hasMethod)
        {
            _response.Write(InvalidRequestTail);
            return true;
        }

        int length = method.Length;
        if (length == 22 && method.SequenceEqual("eth_sendRawTransaction"u8)) SendRawTransaction(ref parameters, hasParams);
        else if (length == 11 && method.SequenceEqual("eth_chainId"u8)) Result(_results.ChainIdResult);
        else if (length == 23 && method.SequenceEqual("eth_getTransactionCount"u8)) Result(ZeroResult);
        else if (length == 11 && method.SequenceEqual("net_version"u8)) Result(_results.NetVersionResult);
        else if (length == 12 && method.SequenceEqual("eth_gasPrice"u8)) Result(GasPriceResult);
        else if (length == 24 && method.SequenceEqual("eth_maxPriorityFeePerGas"u8)) Result(GasPriceResult);
        else if (length == 14 && method.SequenceEqual("eth_getBalance"u8)) Result(BalanceResult);
        else if (length == 15 && method.SequenceEqual("eth_blockNumber"u8)) Result(ZeroResult);
        else if (length == 20 && method.SequenceEqual("eth_getBlockByNumber"u8)) Block();
        else if (length == 15 && method.SequenceEqual("eth_estimateGas"u8)) Result(EstimateGasResult);
        else _response.Write(MethodNotFoundTail);
        return hasId;
    }

    private void SendRawTransaction(ref Utf8JsonReader parameters, bool hasParams)
    {
        if (!hasParams || parameters.TokenType != JsonTokenType.StartArray || !parameters.Read() || parameters.TokenType != JsonTokenType.String)
        {
            Rejected++;
            _response.Write(MissingTxTail);
            return;
        }
        ReadOnlySpan<byte> text = StringValue(ref parameters, int.MaxValue);
        if (text.Length < 2 || text[0] != (byte)'0' || (text[1] | 0x20) != (byte)'x' || (text.Length & 1) != 0)
        {
            Rejected++;
            _response.Write(NotHexTail);
            return;
        }
        ReadOnlySpan<byte> digits = text[2..];
        Span<byte> raw = _tx.Scratch(digits.Length / 2);
        if (Convert.FromHexString(digits, raw, out _, out _) != OperationStatus.Done)
        {
            Rejected++;
            _response.Write(NotHexTail);
            return;
        }
        TxEnvelopeCheck check = TxEnvelopeValidator.Check(raw);
        if (check != TxEnvelopeCheck.Valid)
        {
            Rejected++;
            _response.Write(check switch
            {
                TxEnvelopeCheck.Empty => EmptyTxTail,
                TxEnvelopeCheck.UnsupportedType => UnsupportedTypeTail,
                _ => MalformedTxTail,
            });
            return;
        }
        Accepted++;
        Bytes32 hash;
        Unsafe.SkipInit(out hash);
        Keccak256.Hash(raw, hash);
        // ,"result":"0x<64 hex>"}
        Span<byte> span = _response.GetSpan(ResultStart.Length + 1 + Hex.PrefixedLength(Keccak256.HashSize) + 2);
        ResultStart.CopyTo(span);
        int n = ResultStart.Length;
        span[n++] = (byte)'"';
        n += Hex.WritePrefixedUtf8(hash, span[n..]);
        span[n++] = (byte)'"';
        span[n++] = (byte)'}';
        _response.Advance(n);
    }

    private void Block()
    {
        _response.Write(ResultStart);
        _response.Write(_results.BlockPrefix);
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Utf8Formatter.TryFormat(now, _response.GetSpan(16), out int written, new StandardFormat('x'));
        _response.Advance(written);
        _response.Write(_results.BlockSuffix);
        _response.Write((byte)'}');
    }

    private void Result(ReadOnlySpan<byte> json)
    {
        _response.Write(ResultStart);
        _response.Write(json);
        _response.Write((byte)'}');
    }

    private void WriteEntryStart(ReadOnlySpan<byte> id)
    {
        _response.Write(EntryStart);
        _response.Write(id);
    }

    /// <summary>The string at the reader, unescaped only when it has escapes; longer than <paramref name="max"/> gives an empty span.</summary>
    private ReadOnlySpan<byte> StringValue(scoped ref Utf8JsonReader reader, int max)
    {
        if (!reader.ValueIsEscaped) return reader.ValueSpan;
        if (reader.ValueSpan.Length > max) return default;
        Span<byte> destination = _unescaped.Scratch(reader.ValueSpan.Length);
        int written = reader.CopyString(destination);
        return destination[..written];
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowEmpty() => throw new JsonException("expected exactly one JSON value");

    public void Dispose()
    {
        _response.Dispose();
        _tx.Dispose();
        _unescaped.Dispose();
    }
}
