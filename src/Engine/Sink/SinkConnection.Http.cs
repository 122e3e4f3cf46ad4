using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace FastLoad.Engine.Sink;

/// <summary>What <see cref="SinkConnection"/> found at the start of its input.</summary>
internal enum HttpStep : byte
{
    /// <summary>A whole request (head and body) was read and sliced off.</summary>
    Request,

    /// <summary>The request is not complete yet (what was read of it is kept).</summary>
    NeedMore,

    /// <summary>400: a malformed request line or header, or a bad chunk.</summary>
    BadRequest,

    /// <summary>431: the head is larger than <see cref="SinkConnection.MaxHeadBytes"/>.</summary>
    HeadTooLarge,

    /// <summary>413: the body is larger than <see cref="SinkOptions.MaxBodyBytes"/>.</summary>
    BodyTooLarge,

    /// <summary>501: a transfer coding other than chunked.</summary>
    NotImplemented,

    /// <summary>505: not HTTP/1.0 or HTTP/1.1.</summary>
    VersionNotSupported,
}

/// <summary>HTTP/1.1 request parsing: the head, then a Content-Length or chunked body.</summary>
internal sealed partial class SinkConnection
{
    internal const int MaxHeadBytes = 32 * 1024;
    private const int MaxChunkLineBytes = 1024;

    private enum State : byte
    {
        Head,
        Body,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
    }

    private State _state;

    // The request being read.
    private bool _isPost;
    private bool _http11;
    private bool _keepAlive;
    private bool _expectContinue;
    private bool _sendContinue;
    private long _contentLength;
    private long _chunkRemaining;

    /// <summary>Reads (the rest of) one request from the start of <paramref name="buffer"/> and slices off what it used.</summary>
    private HttpStep ReadRequest(ref ReadOnlySequence<byte> buffer, out ReadOnlySpan<byte> body)
    {
        body = default;
        if (_state == State.Head)
        {
            HttpStep head = ReadHead(ref buffer);
            if (head != HttpStep.Request) return head;
        }
        if (_state == State.Body)
        {
            if (buffer.Length < _contentLength)
            {
                _sendContinue = _expectContinue;
                _expectContinue = false;
                return HttpStep.NeedMore;
            }
            ReadOnlySequence<byte> content = buffer.Slice(0, _contentLength);
            if (content.IsSingleSegment)
            {
                body = content.FirstSpan;
            }
            else
            {
                Span<byte> copy = _body.Scratch((int)_contentLength);
                content.CopyTo(copy);
                body = copy;
            }
            buffer = buffer.Slice(content.End);
            _state = State.Head;
            return HttpStep.Request;
        }
        HttpStep chunked = ReadChunked(ref buffer);
        if (chunked == HttpStep.Request) body = _body.WrittenSpan;
        else if (chunked == HttpStep.NeedMore)
        {
            _sendContinue = _expectContinue;
            _expectContinue = false;
        }
        return chunked;
    }

    private HttpStep ReadHead(ref ReadOnlySequence<byte> buffer)
    {
        // RFC 9112 §2.2: ignore empty lines before the request line (some clients send CRLF after a body).
        while (!buffer.IsEmpty && buffer.FirstSpan[0] == (byte)'\r')
        {
            if (buffer.Length < 2) return HttpStep.NeedMore;
            ReadOnlySpan<byte> start = buffer.FirstSpan;
            byte second = start.Length >= 2 ? start[1] : buffer.Slice(1, 1).FirstSpan[0];
            if (second != (byte)'\n') return HttpStep.BadRequest;
            buffer = buffer.Slice(2);
        }
        if (buffer.IsEmpty) return HttpStep.NeedMore;

        ReadOnlySpan<byte> first = buffer.FirstSpan;
        int end = first.IndexOf("\r\n\r\n"u8);
        HttpStep step;
        if (end >= 0)
        {
            // Fast path: the whole head is in the first segment.
            if (end + 4 > MaxHeadBytes) return HttpStep.HeadTooLarge;
            step = ParseHead(first[..(end + 2)]);
            buffer = buffer.Slice(end + 4);
        }
        else
        {
            var reader = new SequenceReader<byte>(buffer);
            if (!reader.TryReadTo(out ReadOnlySequence<byte> head, "\r\n\r\n"u8))
            {
                return buffer.Length > MaxHeadBytes ? HttpStep.HeadTooLarge : HttpStep.NeedMore;
            }
            if (head.Length + 4 > MaxHeadBytes) return HttpStep.HeadTooLarge;
            byte[] copy = ArrayPool<byte>.Shared.Rent((int)head.Length + 2);
            head.CopyTo(copy);
            copy[head.Length] = (byte)'\r';
            copy[head.Length + 1] = (byte)'\n';
            step = ParseHead(copy.AsSpan(0, (int)head.Length + 2));
            ArrayPool<byte>.Shared.Return(copy);
            buffer = buffer.Slice(reader.Position);
        }
        return step;
    }

    /// <summary>Parses the request line and the header lines, each ending in CRLF.</summary>
    private HttpStep ParseHead(ReadOnlySpan<byte> head)
    {
        int lineEnd = head.IndexOf("\r\n"u8);
        ReadOnlySpan<byte> requestLine = head[..lineEnd];
        head = head[(lineEnd + 2)..];

        // method SP request-target SP HTTP-version
        int firstSpace = requestLine.IndexOf((byte)' ');
        int lastSpace = requestLine.LastIndexOf((byte)' ');
        if (firstSpace <= 0 || lastSpace <= firstSpace + 1) return HttpStep.BadRequest;
        ReadOnlySpan<byte> method = requestLine[..firstSpace];
        ReadOnlySpan<byte> version = requestLine[(lastSpace + 1)..];
        bool http11;
        if (version.SequenceEqual("HTTP/1.1"u8)) http11 = true;
        else if (version.SequenceEqual("HTTP/1.0"u8)) http11 = false;
        else return version.StartsWith("HTTP/"u8) ? HttpStep.VersionNotSupported : HttpStep.BadRequest;

        _http11 = http11;
        _isPost = method.SequenceEqual("POST"u8);
        _keepAlive = http11;
        _expectContinue = false;
        _sendContinue = false;
        long contentLength = -1;
        bool chunked = false;
        while (!head.IsEmpty)
        {
            lineEnd = head.IndexOf("\r\n"u8);
            ReadOnlySpan<byte> line = head[..lineEnd];
            head = head[(lineEnd + 2)..];
            int colon = line.IndexOf((byte)':');
            // No obsolete line folding, no whitespace before the colon (RFC 9112 §5.1, §5.2).
            if (colon <= 0 || line[0] is (byte)' ' or (byte)'\t' || line[colon - 1] is (byte)' ' or (byte)'\t') return HttpStep.BadRequest;
            ReadOnlySpan<byte> name = line[..colon];
            ReadOnlySpan<byte> value = line[(colon + 1)..].Trim(" \t"u8);
            switch (name.Length)
            {
                case 14 when Ascii.EqualsIgnoreCase(name, "Content-Length"u8):
                    if (!Utf8Parser.TryParse(value, out long length, out int consumed) || consumed != value.Length || length < 0 || value[0] is (byte)'+' or (byte)'-') return HttpStep.BadRequest;
                    if (contentLength >= 0 && contentLength != length) return HttpStep.BadRequest;
                    contentLength = length;
                    break;
                case 17 when Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8):
                    // Only "chunked" alone: the sink knows no other coding.
                    if (!Ascii.EqualsIgnoreCase(value, "chunked"u8)) return HttpStep.NotImplemented;
                    if (chunked) return HttpStep.BadRequest;
                    chunked = true;
                    break;
                case 10 when Ascii.EqualsIgnoreCase(name, "Connection"u8):
                    if (HasToken(value, "close"u8)) _keepAlive = false;
                    else if (HasToken(value, "keep-alive"u8)) _keepAlive = true;
                    break;
                case 6 when Ascii.EqualsIgnoreCase(name, "Expect"u8):
                    _expectContinue = http11 && Ascii.EqualsIgnoreCase(value, "100-continue"u8);
                    break;
            }
        }

        if (chunked)
        {
            // Both framings at once is a smuggling pattern: refuse it (RFC 9112 §6.3 allows that).
            if (contentLength >= 0 || !http11) return HttpStep.BadRequest;
            _body.Reset();
            _state = State.ChunkSize;
            return HttpStep.Request;
        }
        if (contentLength > _maxBodyBytes) return HttpStep.BodyTooLarge;
        _contentLength = Math.Max(contentLength, 0);
        _state = State.Body;
        return HttpStep.Request;
    }

    private static bool HasToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        foreach (Range range in value.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(value[range].Trim(" \t"u8), token)) return true;
        }
        return false;
    }

    /// <summary>Decodes chunks into <see cref="_body"/>; the state survives between reads.</summary>
    private HttpStep ReadChunked(ref ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        try
        {
            while (true)
            {
                switch (_state)
                {
                    case State.ChunkSize:
                    {
                        // chunk-size [; extensions] CRLF
                        if (!reader.TryReadTo(out ReadOnlySpan<byte> line, (byte)'\n'))
                        {
                            return reader.Remaining > MaxChunkLineBytes ? HttpStep.BadRequest : HttpStep.NeedMore;
                        }
                        if (line.Length > MaxChunkLineBytes || line.IsEmpty || line[^1] != (byte)'\r') return HttpStep.BadRequest;
                        line = line[..^1];
                        int semicolon = line.IndexOf((byte)';');
                        ReadOnlySpan<byte> digits = (semicolon >= 0 ? line[..semicolon] : line).TrimEnd(" \t"u8);
                        if (digits.IsEmpty || digits.Length > 8 || !Utf8Parser.TryParse(digits, out uint size, out int consumed, 'x') || consumed != digits.Length)
                        {
                            return HttpStep.BadRequest;
                        }
                        if (size == 0)
                        {
                            _state = State.Trailers;
                        }
                        else
                        {
                            if (_body.Length + (long)size > _maxBodyBytes) return HttpStep.BodyTooLarge;
                            _chunkRemaining = size;
                            _state = State.ChunkData;
                        }
                        break;
                    }
                    case State.ChunkData:
                    {
                        if (reader.End) return HttpStep.NeedMore;
                        int take = (int)Math.Min(_chunkRemaining, reader.Remaining);
                        reader.UnreadSequence.Slice(0, take).CopyTo(_body.GetSpan(take));
                        _body.Advance(take);
                        reader.Advance(take);
                        _chunkRemaining -= take;
                        if (_chunkRemaining == 0) _state = State.ChunkDataEnd;
                        break;
                    }
                    case State.ChunkDataEnd:
                    {
                        if (reader.Remaining < 2) return HttpStep.NeedMore;
                        if (!reader.IsNext("\r\n"u8, advancePast: true)) return HttpStep.BadRequest;
                        _state = State.ChunkSize;
                        break;
                    }
                    case State.Trailers:
                    {
                        // trailer fields, ignored, then an empty line
                        if (!reader.TryReadTo(out ReadOnlySpan<byte> line, (byte)'\n'))
                        {
                            return reader.Remaining > MaxHeadBytes ? HttpStep.HeadTooLarge : HttpStep.NeedMore;
                        }
                        if (line.IsEmpty || line[^1] != (byte)'\r') return HttpStep.BadRequest;
                        if (line.Length == 1)
                        {
                            _state = State.Head;
                            return HttpStep.Request;
                        }
                        break;
                    }
                    default:
                        return HttpStep.BadRequest;
                }
            }
        }
        finally
        {
            buffer = buffer.Slice(reader.Position);
        }
    }

    private void WriteError(HttpStep step)
    {
        ReadOnlySpan<byte> status = step switch
        {
            HttpStep.HeadTooLarge => "431 Request Header Fields Too Large"u8,
            HttpStep.BodyTooLarge => "413 Content Too Large"u8,
            HttpStep.NotImplemented => "501 Not Implemented"u8,
            HttpStep.VersionNotSupported => "505 HTTP Version Not Supported"u8,
            _ => "400 Bad Request"u8,
        };
        WriteResponse(status, "{\"error\":\"bad HTTP request\"}"u8, close: true);
    }
}
