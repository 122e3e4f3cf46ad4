using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace FastLoad.Engine.Rpc;

/// <summary>Receives the entries of a JSON-RPC response; implemented by a struct so the reader is specialised for it.</summary>
public interface IRpcEntrySink
{
    /// <summary>
    /// A successful entry. <paramref name="resultRaw"/> is the JSON string's unescaped UTF-8 if the result is a string
    /// (a tx hash: <c>0x…</c> without quotes), else the raw JSON bytes of the value (<c>null</c>, <c>{…}</c>, <c>[…]</c>, numbers).
    /// Valid only during the call.
    /// </summary>
    void OnResult(long id, ReadOnlySpan<byte> resultRaw);

    /// <summary>
    /// An error entry. <paramref name="id"/> is <see cref="JsonRpcResponseReader.NoId"/> when the error has no id (or a
    /// null id): the node rejected the whole request or batch. <paramref name="message"/> is unescaped UTF-8, valid only
    /// during the call; the error's <c>data</c> is not reported.
    /// </summary>
    void OnError(long id, int code, ReadOnlySpan<byte> message);
}

/// <summary>
/// Reads a JSON-RPC response body — one object or a batch array — reporting each entry to a struct sink.
/// <see cref="TryRead"/> scans entries of the one layout nodes send for a tx hash (<c>JsonRpcResponseReader.Fast.cs</c>)
/// and hands every other entry to <see cref="Utf8JsonReader"/> (<see cref="TryReadWithReader"/>), which reads
/// members in any order; only values that cross a segment boundary or contain escapes are copied, into a pooled
/// scratch buffer. Allocates nothing in steady state.
/// </summary>
public static partial class JsonRpcResponseReader
{
    /// <summary>The id reported for an entry without an id (or with <c>"id": null</c>).</summary>
    public const long NoId = -1;

    private const int MinScratch = 256;

    /// <summary>
    /// <see cref="TryRead"/> with <see cref="Utf8JsonReader"/> alone, over the body as it is (no scan, no copy): the
    /// reference the fast scan must agree with (tests and benchmarks compare the two).
    /// </summary>
    public static bool TryReadWithReader<TSink>(ReadOnlySequence<byte> body, ref TSink sink)
        where TSink : struct, IRpcEntrySink, allows ref struct
    {
        var reader = new Utf8JsonReader(body, isFinalBlock: true, state: default);
        Scratch scratch = default;
        try
        {
            if (!reader.Read()) return false;
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                while (true)
                {
                    if (!reader.Read()) return false;
                    if (reader.TokenType == JsonTokenType.EndArray) break;
                    if (reader.TokenType != JsonTokenType.StartObject) return false;
                    if (!ReadEntry(ref reader, body, ref scratch, ref sink)) return false;
                }
            }
            else if (reader.TokenType == JsonTokenType.StartObject)
            {
                if (!ReadEntry(ref reader, body, ref scratch, ref sink)) return false;
            }
            else
            {
                return false;
            }
            // Only whitespace may follow the value; a second value makes Read() throw.
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
        finally
        {
            scratch.Release();
        }
    }

    private static bool ReadEntry<TSink>(ref Utf8JsonReader reader, in ReadOnlySequence<byte> body, ref Scratch scratch, ref TSink sink)
        where TSink : struct, IRpcEntrySink, allows ref struct
    {
        long id = NoId;
        bool hasResult = false, hasError = false;
        int code = 0;
        ValueRef result = default, message = default;
        scratch.Used = 0;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                if (!reader.Read() || !TryReadId(ref reader, out id)) return false;
            }
            else if (reader.ValueTextEquals("result"u8))
            {
                if (!reader.Read()) return false;
                hasResult = true;
                result = Capture(ref reader, body, ref scratch);
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                if (!reader.Read()) return false;
                switch (reader.TokenType)
                {
                    case JsonTokenType.Null: // JSON-RPC 1.0 style {"result": …, "error": null}
                        break;
                    case JsonTokenType.String: // some proxies: {"error": "rate limited"}
                        hasError = true;
                        message = Capture(ref reader, body, ref scratch);
                        break;
                    case JsonTokenType.StartObject:
                        hasError = true;
                        if (!ReadErrorObject(ref reader, body, ref scratch, out code, out message)) return false;
                        break;
                    default:
                        return false;
                }
            }
            else
            {
                // "jsonrpc" and anything else.
                if (!reader.Read()) return false;
                reader.Skip();
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject) return false;

        if (hasError) sink.OnError(id, code, message.Resolve(body, scratch.Buffer));
        else if (hasResult) sink.OnResult(id, result.Resolve(body, scratch.Buffer));
        else return false;
        return true;
    }

    private static bool ReadErrorObject(ref Utf8JsonReader reader, in ReadOnlySequence<byte> body, ref Scratch scratch,
        out int code, out ValueRef message)
    {
        code = 0;
        message = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("code"u8))
            {
                if (!reader.Read()) return false;
                if (reader.TokenType == JsonTokenType.Number)
                {
                    if (!reader.TryGetInt32(out code)) code = reader.TryGetInt64(out long wide) && wide < 0 ? int.MinValue : int.MaxValue;
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                if (!reader.Read()) return false;
                if (reader.TokenType == JsonTokenType.String) message = Capture(ref reader, body, ref scratch);
                else reader.Skip();
            }
            else
            {
                // "data" (revert data, detail strings) and anything else.
                if (!reader.Read()) return false;
                reader.Skip();
            }
        }
        return reader.TokenType == JsonTokenType.EndObject;
    }

    private static bool TryReadId(ref Utf8JsonReader reader, out long id)
    {
        id = NoId;
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return reader.TryGetInt64(out id);
            case JsonTokenType.Null:
                return true;
            case JsonTokenType.String:
                IdText text = default;
                Span<byte> digits = text;
                int length;
                if (!reader.HasValueSequence && !reader.ValueIsEscaped)
                {
                    ReadOnlySpan<byte> span = reader.ValueSpan;
                    if (span.Length > digits.Length) return false;
                    span.CopyTo(digits);
                    length = span.Length;
                }
                else
                {
                    long raw = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
                    if (raw > 6 * digits.Length) return false; // an escape is at most 6 bytes (\u00XX)
                    Span<byte> wide = stackalloc byte[6 * 32];
                    length = reader.CopyString(wide);
                    if (length > digits.Length) return false;
                    wide[..length].CopyTo(digits);
                }
                return TryParseIdText(digits[..length], out id);
            default:
                return false;
        }
    }

    private static bool TryParseIdText(ReadOnlySpan<byte> text, out long id)
    {
        if (text.Length > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        {
            return Utf8Parser.TryParse(text[2..], out id, out int hexConsumed, 'x') && hexConsumed == text.Length - 2 && id >= 0;
        }
        return Utf8Parser.TryParse(text, out id, out int consumed) && consumed == text.Length;
    }

    /// <summary>Records where the current value's bytes are: in the body itself when contiguous, else copied to scratch.</summary>
    private static ValueRef Capture(ref Utf8JsonReader reader, in ReadOnlySequence<byte> body, ref Scratch scratch)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            if (body.IsSingleSegment && !reader.ValueIsEscaped)
            {
                // TokenStartIndex is the opening quote.
                return new ValueRef(inScratch: false, checked((int)reader.TokenStartIndex + 1), reader.ValueSpan.Length);
            }
            int maxLength = checked((int)(reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length));
            Span<byte> destination = scratch.Reserve(maxLength, out int start);
            int written = reader.CopyString(destination);
            scratch.Used += written;
            return new ValueRef(inScratch: true, start, written);
        }

        long tokenStart = reader.TokenStartIndex;
        reader.Skip(); // objects and arrays: to the closing token; primitives: stays
        int length = checked((int)(reader.BytesConsumed - tokenStart));
        if (body.IsSingleSegment) return new ValueRef(inScratch: false, checked((int)tokenStart), length);
        Span<byte> copy = scratch.Reserve(length, out int at);
        body.Slice(tokenStart, length).CopyTo(copy);
        scratch.Used += length;
        return new ValueRef(inScratch: true, at, length);
    }

    private readonly struct ValueRef(bool inScratch, int start, int length)
    {
        public ReadOnlySpan<byte> Resolve(ReadOnlySequence<byte> body, byte[]? scratch) =>
            length == 0 ? default
            : inScratch ? scratch.AsSpan(start, length)
            : body.FirstSpan.Slice(start, length);
    }

    /// <summary>A pooled buffer for values that are escaped or cross segments; kept for one TryRead call.</summary>
    private struct Scratch
    {
        public byte[]? Buffer;
        public int Used;

        public Span<byte> Reserve(int length, out int start)
        {
            if (Buffer is null || Buffer.Length - Used < length)
            {
                byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(MinScratch, (Used + length) * 2));
                if (Buffer is not null)
                {
                    Buffer.AsSpan(0, Used).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(Buffer);
                }
                Buffer = larger;
            }
            start = Used;
            return Buffer.AsSpan(Used, length);
        }

        public void Release()
        {
            if (Buffer is not null) ArrayPool<byte>.Shared.Return(Buffer);
            Buffer = null;
        }
    }

    [InlineArray(32)]
    private struct IdText
    {
        private byte _element0;
    }
}
