using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Text;

namespace FastLoad.Engine.Rpc;

public sealed partial class PipelinedHttpConnection
{
    /// <summary>Longest status, header, chunk-size or trailer line accepted.</summary>
    private const int MaxLineBytes = 16 * 1024;

    private enum ParseState : byte
    {
        StatusLine,
        Headers,
        ContentLengthBody,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        BodyUntilClose,
    }

    // Parser state, kept across reads; touched only by the reader loop.
    private ParseState _state;
    private int _status;
    private bool _http10;
    private long _contentLength = -1;
    private bool _hasTransferEncoding;
    private bool _chunked;
    private bool _connectionClose;
    private bool _connectionKeepAlive;
    private int _retryAfter = -1;          // Retry-After in seconds of the response being parsed; -1 for none
    private int _deliveredRetryAfter = -1; // the same, of the response being delivered
    private long _chunkRemaining;
    private byte[]? _chunkedBody; // de-chunked body, pooled, reused across responses
    private int _chunkedLength;
    private byte[]? _lineScratch; // a line that crosses segments is copied here

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                ReadResult result = await _reader.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled || _faulted) break;
                ReadOnlySequence<byte> buffer = result.Buffer;
                bool keepReading = ParseResponses(buffer, result.IsCompleted, out SequencePosition consumed);
                _reader.AdvanceTo(consumed, buffer.End);
                if (!keepReading) break;
                if (result.IsCompleted)
                {
                    Fault(_state == ParseState.StatusLine && buffer.Slice(consumed).IsEmpty
                        ? $"{_endpoint.Url}: the server closed the connection"
                        : $"{_endpoint.Url}: the server closed the connection in the middle of a response");
                    break;
                }
            }
        }
        catch (Exception e)
        {
            Fault($"{_endpoint.Url}: {Describe(e)}");
        }
        finally
        {
            try
            {
                await _reader.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
            }
        }
    }

    /// <summary>
    /// Parses every complete response in <paramref name="buffer"/>, delivering each one. Returns false when the
    /// connection faulted (protocol error, <c>Connection: close</c>, nothing awaiting).
    /// </summary>
    private bool ParseResponses(in ReadOnlySequence<byte> buffer, bool isCompleted, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        ReadOnlySpan<byte> line;
        while (true)
        {
            switch (_state)
            {
                case ParseState.StatusLine:
                    if (!TryReadLine(ref reader, out line)) goto NeedMore;
                    if (line.IsEmpty) continue; // tolerate a stray CRLF between responses
                    if (!TryParseStatusLine(line)) return ProtocolError(ref reader, out consumed, $"bad status line '{Printable(line)}'");
                    _state = ParseState.Headers;
                    continue;

                case ParseState.Headers:
                    if (!TryReadLine(ref reader, out line)) goto NeedMore;
                    if (!line.IsEmpty)
                    {
                        if (!TryParseHeader(line)) return ProtocolError(ref reader, out consumed, $"bad header '{Printable(line)}'");
                        continue;
                    }
                    if (_status < 200)
                    {
                        // 100 Continue, 102/103: interim, skipped. 101 would switch protocols: not ours.
                        if (_status == 101) return ProtocolError(ref reader, out consumed, "unexpected 101 Switching Protocols");
                        _state = ParseState.StatusLine;
                        continue;
                    }
                    if (_http10 && !_connectionKeepAlive) _connectionClose = true;
                    if (_status is 204 or 304)
                    {
                        _contentLength = 0;
                        _state = ParseState.ContentLengthBody;
                    }
                    else if (_chunked)
                    {
                        _chunkedLength = 0;
                        _state = ParseState.ChunkSize;
                    }
                    else if (!_hasTransferEncoding && _contentLength >= 0)
                    {
                        if (_contentLength > MaxResponseBodyBytes)
                            return ProtocolError(ref reader, out consumed, $"Content-Length {_contentLength} is over the {MaxResponseBodyBytes} byte limit");
                        _state = ParseState.ContentLengthBody;
                    }
                    else
                    {
                        _state = ParseState.BodyUntilClose; // no length: the body ends when the server closes
                    }
                    continue;

                case ParseState.ContentLengthBody:
                {
                    if (reader.Remaining < _contentLength) goto NeedMore; // the body stays in the pipe until complete: no copy
                    ReadOnlySequence<byte> body = buffer.Slice(reader.Position, _contentLength);
                    reader.Advance(_contentLength);
                    if (!CompleteResponse(body)) break;
                    continue;
                }

                case ParseState.ChunkSize:
                    if (!TryReadLine(ref reader, out line)) goto NeedMore;
                    if (!TryParseChunkSize(line, out long size)) return ProtocolError(ref reader, out consumed, $"bad chunk size '{Printable(line)}'");
                    if (_chunkedLength + size > MaxResponseBodyBytes)
                        return ProtocolError(ref reader, out consumed, $"chunked body over the {MaxResponseBodyBytes} byte limit");
                    _chunkRemaining = size;
                    _state = size == 0 ? ParseState.Trailers : ParseState.ChunkData;
                    continue;

                case ParseState.ChunkData:
                    while (_chunkRemaining > 0)
                    {
                        if (reader.End) goto NeedMore;
                        ReadOnlySpan<byte> available = reader.UnreadSpan;
                        int take = (int)Math.Min(available.Length, _chunkRemaining);
                        AppendChunk(available[..take]);
                        reader.Advance(take);
                        _chunkRemaining -= take;
                    }
                    _state = ParseState.ChunkDataEnd;
                    continue;

                case ParseState.ChunkDataEnd:
                    if (!TryReadLine(ref reader, out line)) goto NeedMore;
                    if (!line.IsEmpty) return ProtocolError(ref reader, out consumed, "chunk data longer than its size");
                    _state = ParseState.ChunkSize;
                    continue;

                case ParseState.Trailers:
                    if (!TryReadLine(ref reader, out line)) goto NeedMore;
                    if (!line.IsEmpty) continue; // trailer fields: ignored
                    if (!CompleteResponse(new ReadOnlySequence<byte>(_chunkedBody ?? [], 0, _chunkedLength))) break;
                    continue;

                case ParseState.BodyUntilClose:
                    if (!isCompleted)
                    {
                        if (reader.Remaining > MaxResponseBodyBytes)
                            return ProtocolError(ref reader, out consumed, $"body over the {MaxResponseBodyBytes} byte limit");
                        goto NeedMore;
                    }
                    ReadOnlySequence<byte> rest = buffer.Slice(reader.Position);
                    reader.Advance(rest.Length);
                    _connectionClose = true;
                    CompleteResponse(rest);
                    break;
            }
            // A break out of the switch: the connection faulted (or will not carry another response).
            consumed = reader.Position;
            return false;
        }

    NeedMore:
        if (reader.Remaining > MaxLineBytes && _state is ParseState.StatusLine or ParseState.Headers or ParseState.ChunkSize
                or ParseState.ChunkDataEnd or ParseState.Trailers)
            return ProtocolError(ref reader, out consumed, $"a line longer than {MaxLineBytes} bytes");
        consumed = reader.Position;
        return true;
    }

    /// <summary>Hands a complete response to the FIFO head and resets for the next; false if the connection faulted.</summary>
    private bool CompleteResponse(in ReadOnlySequence<byte> body)
    {
        int status = _status;
        bool close = _connectionClose;
        _deliveredRetryAfter = _retryAfter;
        ResetResponseState();
        if (!Deliver(status, body)) return false;
        if (close)
        {
            Fault($"{_endpoint.Url}: the server closed the connection (Connection: close) with requests still in flight");
            return false;
        }
        return true;
    }

    private bool Deliver(int status, in ReadOnlySequence<byte> body)
    {
        PendingRequest request;
        SendOperation? waiting = null;
        lock (_sync)
        {
            if (_faulted) return false;
            if (_count == 0)
            {
                request = default;
            }
            else
            {
                request = _ring[_head];
                _ring[_head] = default;
                if (++_head == _ring.Length) _head = 0;
                _count--;
                waiting = TakeWaitingSend();
            }
        }
        if (request.Handler is null)
        {
            Fault($"{_endpoint.Url}: protocol error: an HTTP {status} response arrived with no request awaiting it");
            return false;
        }
        try
        {
            request.Handler.OnResponse(status, body, request.State);
        }
        catch (Exception e)
        {
            // A handler bug: fail loudly, the other requests in flight get ConnectionLost with this message.
            Fault($"{_endpoint.Url}: a response handler threw {e.GetType().Name}: {e.Message}");
            return false;
        }
        finally
        {
            Resume(waiting); // the slot just freed goes to the parked send
        }
        return true;
    }

    private void ResetResponseState()
    {
        _state = ParseState.StatusLine;
        _status = 0;
        _http10 = false;
        _contentLength = -1;
        _hasTransferEncoding = false;
        _chunked = false;
        _connectionClose = false;
        _connectionKeepAlive = false;
        _retryAfter = -1;
        _chunkRemaining = 0;
        _chunkedLength = 0;
    }

    private bool ProtocolError(ref SequenceReader<byte> reader, out SequencePosition consumed, string problem)
    {
        consumed = reader.Position;
        Fault($"{_endpoint.Url}: protocol error: {problem}");
        return false;
    }

    /// <summary>
    /// Reads one line ending in LF (CRLF, or a bare LF); the line excludes the terminator. Fast path: the line lies
    /// in the current span. Otherwise it is copied to a reused scratch buffer.
    /// </summary>
    private bool TryReadLine(scoped ref SequenceReader<byte> reader, out ReadOnlySpan<byte> line)
    {
        ReadOnlySpan<byte> unread = reader.UnreadSpan;
        int lf = unread.IndexOf((byte)'\n');
        if (lf >= 0)
        {
            line = unread[..lf];
            reader.Advance(lf + 1);
        }
        else
        {
            if (!reader.TryReadTo(out ReadOnlySequence<byte> sequence, (byte)'\n', advancePastDelimiter: true) || sequence.Length > MaxLineBytes)
            {
                line = default;
                return false; // NeedMore turns an over-long partial line into a protocol error
            }
            int length = (int)sequence.Length;
            if (_lineScratch is null || _lineScratch.Length < length)
            {
                if (_lineScratch is not null) ArrayPool<byte>.Shared.Return(_lineScratch);
                _lineScratch = ArrayPool<byte>.Shared.Rent(Math.Max(length, 256));
            }
            sequence.CopyTo(_lineScratch);
            line = _lineScratch.AsSpan(0, length);
        }
        if (!line.IsEmpty && line[^1] == (byte)'\r') line = line[..^1];
        return true;
    }

    /// <summary><c>HTTP/1.x SP 3DIGIT [SP reason]</c>; resets the per-response header state.</summary>
    private bool TryParseStatusLine(ReadOnlySpan<byte> line)
    {
        ResetResponseState();
        _state = ParseState.StatusLine;
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || !char.IsAsciiDigit((char)line[7]) || line[8] != (byte)' ') return false;
        ReadOnlySpan<byte> code = line.Slice(9, 3);
        if (!char.IsAsciiDigit((char)code[0]) || !char.IsAsciiDigit((char)code[1]) || !char.IsAsciiDigit((char)code[2])) return false;
        if (line.Length > 12 && line[12] != (byte)' ') return false;
        _status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
        _http10 = line[7] == (byte)'0';
        return _status >= 100;
    }

    private bool TryParseHeader(ReadOnlySpan<byte> line)
    {
        int colon = line.IndexOf((byte)':');
        if (colon <= 0) return false;
        ReadOnlySpan<byte> name = line[..colon];
        ReadOnlySpan<byte> value = line[(colon + 1)..].Trim(" \t"u8);
        if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
        {
            if (!Utf8Parser.TryParse(value, out long length, out int used) || used != value.Length || length < 0) return false;
            if (_contentLength >= 0 && _contentLength != length) return false; // conflicting lengths: unsafe to go on
            _contentLength = length;
        }
        else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
        {
            _hasTransferEncoding = true;
            _chunked = HasToken(value, "chunked"u8);
        }
        else if (Ascii.EqualsIgnoreCase(name, "connection"u8))
        {
            if (HasToken(value, "close"u8)) _connectionClose = true;
            if (HasToken(value, "keep-alive"u8)) _connectionKeepAlive = true;
        }
        else if (name.Length == 11 && Ascii.EqualsIgnoreCase(name, "retry-after"u8))
        {
            // delta-seconds only; an HTTP-date is ignored (RFC 9110 §10.2.3)
            _retryAfter = Utf8Parser.TryParse(value, out int seconds, out int used) && used == value.Length && seconds >= 0 ? seconds : -1;
        }
        return true;
    }

    /// <summary>A comma-separated header value contains <paramref name="token"/> (case-insensitive).</summary>
    private static bool HasToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        foreach (Range part in value.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(value[part].Trim(" \t"u8), token)) return true;
        }
        return false;
    }

    /// <summary><c>1*HEXDIG [ ; chunk-ext ]</c>; extensions are ignored.</summary>
    private static bool TryParseChunkSize(ReadOnlySpan<byte> line, out long size)
    {
        int end = line.IndexOfAny("; \t"u8);
        ReadOnlySpan<byte> digits = end < 0 ? line : line[..end];
        size = 0;
        return digits.Length is > 0 and <= 15
            && Utf8Parser.TryParse(digits, out size, out int used, 'x') && used == digits.Length;
    }

    private void AppendChunk(ReadOnlySpan<byte> data)
    {
        int needed = _chunkedLength + data.Length;
        if (_chunkedBody is null || _chunkedBody.Length < needed)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(4096, (_chunkedBody?.Length ?? 0) * 2)));
            if (_chunkedBody is not null)
            {
                _chunkedBody.AsSpan(0, _chunkedLength).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_chunkedBody);
            }
            _chunkedBody = larger;
        }
        data.CopyTo(_chunkedBody.AsSpan(_chunkedLength));
        _chunkedLength = needed;
    }

    private void ReturnParserBuffers()
    {
        if (_chunkedBody is not null) ArrayPool<byte>.Shared.Return(_chunkedBody);
        if (_lineScratch is not null) ArrayPool<byte>.Shared.Return(_lineScratch);
        _chunkedBody = null;
        _lineScratch = null;
    }

    private static string Printable(ReadOnlySpan<byte> line)
    {
        ReadOnlySpan<byte> head = line.Length > 80 ? line[..80] : line;
        var text = new StringBuilder(head.Length);
        foreach (byte b in head) text.Append(b is >= 0x20 and < 0x7f ? (char)b : '?');
        return text.ToString();
    }
}
