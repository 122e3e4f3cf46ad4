using System.Buffers;
using System.Text.Json;

namespace FastLoad.Engine.Rpc;

// The fast scan. Anvil and `fastload sink` (replies captured) and geth (by its source) answer eth_sendRawTransaction
// with entries laid out byte for byte as
//   {"jsonrpc":"2.0","id":N,"result":"0x<64 hex>"}
// (no whitespace; a batch is those joined by commas in [ ]; geth adds a newline after the body). Such an entry is
// matched with two fixed-prefix compares, a digit loop and one vectorised hex scan, and reported as Utf8JsonReader
// would report it. Any entry that differs in a single byte (an error, another member order, whitespace, an escape,
// a string, negative or 19-digit id, a non-hex result) is read by the Utf8JsonReader path from its opening brace,
// so every body is reported exactly as TryReadWithReader reports it.
public static partial class JsonRpcResponseReader
{
    /// <summary>Bodies up to this size that arrive in several segments are copied into one pooled buffer and scanned.</summary>
    private const int MaxCopiedBody = 1024 * 1024;

    /// <summary>
    /// The Utf8JsonReader that reads one entry of a batch starts at depth 0 where the whole-body reader would be at
    /// depth 1: one level less keeps the nesting limit where the whole-body reader has it (64, the default).
    /// </summary>
    private static readonly JsonReaderOptions EntryReaderOptions = new() { MaxDepth = 63 };

    private static readonly SearchValues<byte> HexDigits = SearchValues.Create("0123456789abcdefABCDEF"u8);

    private static ReadOnlySpan<byte> EntryHead => "{\"jsonrpc\":\"2.0\",\"id\":"u8;

    private static ReadOnlySpan<byte> ResultHead => ",\"result\":\"0x"u8;

    /// <summary>Longest id the scan parses: 18 digits never overflow a long; longer ones go to the reader.</summary>
    private const int MaxIdDigits = 18;

    /// <summary>
    /// Reads <paramref name="body"/> and reports every entry to <paramref name="sink"/>, in order.
    /// Returns false if the body is not valid JSON-RPC (not JSON, an entry with neither result nor error, an id
    /// that is not a number or a numeric string). Entries reported before the problem was found stand.
    /// </summary>
    public static bool TryRead<TSink>(ReadOnlySequence<byte> body, ref TSink sink)
        where TSink : struct, IRpcEntrySink, allows ref struct
    {
        if (body.IsSingleSegment) return TryReadContiguous(body, ref sink);
        long length = body.Length;
        if (length > MaxCopiedBody) return TryReadWithReader(body, ref sink);
        // A 100-entry batch (~11 KB) often straddles the connection's 16 KB read buffers. One copy (a memcpy) is
        // cheaper than Utf8JsonReader's multi-segment paths, and the scan needs contiguous bytes.
        byte[] copy = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            body.CopyTo(copy);
            return TryReadContiguous(new ReadOnlySequence<byte>(copy, 0, (int)length), ref sink);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    /// <summary><see cref="TryRead"/> over a single-segment body.</summary>
    private static bool TryReadContiguous<TSink>(ReadOnlySequence<byte> body, ref TSink sink)
        where TSink : struct, IRpcEntrySink, allows ref struct
    {
        ReadOnlySpan<byte> span = body.FirstSpan;
        int p = SkipWhiteSpace(span, 0);
        if (p < span.Length && span[p] == (byte)'{')
        {
            // One object (a single request's answer): the scan only when it is all there is.
            if (TryMatchEntry(span, p, out long id, out int start, out int length, out int end) && SkipWhiteSpace(span, end) == span.Length)
            {
                sink.OnResult(id, span.Slice(start, length));
                return true;
            }
            return TryReadWithReader(body, ref sink);
        }
        if (p >= span.Length || span[p] != (byte)'[') return TryReadWithReader(body, ref sink);

        Scratch scratch = default;
        try
        {
            p = SkipWhiteSpace(span, p + 1);
            if (p < span.Length && span[p] == (byte)']') return SkipWhiteSpace(span, p + 1) == span.Length;
            while (true)
            {
                if (p >= span.Length || span[p] != (byte)'{') return false; // not an object: the reader rejects it too
                if (TryMatchEntry(span, p, out long id, out int start, out int length, out int end))
                {
                    sink.OnResult(id, span.Slice(start, length));
                }
                else
                {
                    if (!TryReadOneEntry(body.Slice(p), ref scratch, ref sink, out int consumed)) return false;
                    end = p + consumed;
                }
                p = SkipWhiteSpace(span, end);
                if (p >= span.Length) return false; // truncated
                if (span[p] == (byte)']') return SkipWhiteSpace(span, p + 1) == span.Length;
                if (span[p] != (byte)',') return false;
                p = SkipWhiteSpace(span, p + 1);
            }
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

    /// <summary>Reads the entry at the start of <paramref name="rest"/> with Utf8JsonReader; its length in <paramref name="consumed"/>.</summary>
    private static bool TryReadOneEntry<TSink>(ReadOnlySequence<byte> rest, ref Scratch scratch, ref TSink sink, out int consumed)
        where TSink : struct, IRpcEntrySink, allows ref struct
    {
        var reader = new Utf8JsonReader(rest, EntryReaderOptions);
        reader.Read(); // the opening brace, checked by the caller
        bool ok = ReadEntry(ref reader, rest, ref scratch, ref sink);
        consumed = (int)reader.BytesConsumed;
        return ok;
    }

    /// <summary>
    /// Whether the bytes at <paramref name="at"/> are exactly <c>{"jsonrpc":"2.0","id":N,"result":"0x…"}</c> with N
    /// 0 or 1-18 digits without a leading zero and only hex digits after 0x; the result's <c>0x…</c> (without quotes)
    /// is at <paramref name="start"/>, the entry ends before <paramref name="end"/>.
    /// </summary>
    private static bool TryMatchEntry(ReadOnlySpan<byte> span, int at, out long id, out int start, out int length, out int end)
    {
        id = 0;
        start = length = end = 0;
        ReadOnlySpan<byte> s = span[at..];
        if (!s.StartsWith(EntryHead)) return false;
        int i = EntryHead.Length;
        if (i >= s.Length) return false;
        uint digit = (uint)(s[i] - '0');
        if (digit > 9) return false;
        long value = digit;
        i++;
        if (digit != 0)
        {
            int limit = Math.Min(s.Length, i + MaxIdDigits - 1);
            while (i < limit && (digit = (uint)(s[i] - '0')) <= 9)
            {
                value = value * 10 + digit;
                i++;
            }
        }
        if (!s[i..].StartsWith(ResultHead)) return false; // also a 19th digit, a fraction, an exponent, "01"
        i += ResultHead.Length;
        int hex = s[i..].IndexOfAnyExcept(HexDigits);
        if (hex < 0) return false;
        int quote = i + hex;
        if (quote + 1 >= s.Length || s[quote] != (byte)'"' || s[quote + 1] != (byte)'}') return false;
        id = value;
        start = at + i - 2;
        length = hex + 2;
        end = at + quote + 2;
        return true;
    }

    /// <summary>The first index at or after <paramref name="at"/> that is not JSON white space (space, tab, CR, LF).</summary>
    private static int SkipWhiteSpace(ReadOnlySpan<byte> span, int at)
    {
        while (at < span.Length)
        {
            byte b = span[at];
            if (b != (byte)' ' && b != (byte)'\n' && b != (byte)'\r' && b != (byte)'\t') break;
            at++;
        }
        return at;
    }
}
