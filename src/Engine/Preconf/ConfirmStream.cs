using System.Buffers;
using System.Diagnostics;
using System.IO.Compression;
using System.Net.WebSockets;
using FastLoad.Engine.Rpc;

namespace FastLoad.Engine.Preconf;

/// <summary>Hears each first mention of one of the run's txs on a confirmation stream.</summary>
public interface IPreconfSink
{
    /// <summary>
    /// Stream <paramref name="stream"/> mentioned tx <paramref name="id"/> for the first time, in a message that began
    /// to arrive at <paramref name="seenTicks"/>; <paramref name="first"/> when no stream had mentioned it before.
    /// </summary>
    void OnPreconf(int stream, long id, long intendedTicks, long seenTicks, bool first);
}

/// <summary>
/// One <c>--confirm-ws</c> stream: any WebSocket whose messages mention tx hashes (preconfirmations, flashblocks,
/// a node's pending txs). Every message is scanned for <c>0x</c> + 64 hex digits (<see cref="HashScanner"/>), each
/// looked up in the <see cref="PreconfTracker"/>; a binary message that is not JSON is taken as Brotli (how
/// flashblocks streams compress) and scanned decompressed. The time of a message is when its first bytes were read,
/// on the run's monotonic clock. Buffers are pooled and reused across messages; a dropped connection is opened again
/// (0.5 s, doubling to 5 s) until the run stops.
/// </summary>
public sealed class ConfirmStream(int index, Uri url, PreconfTracker tracker, IPreconfSink sink)
{
    private const int FirstBuffer = 64 * 1024;
    private long _messages, _hashes, _matched, _connects, _truncated;
    private string? _lastError;

    public int Index => index;

    public Uri Url => url;

    /// <summary>Sent with the WebSocket upgrade request (e.g. an API key).</summary>
    public IReadOnlyList<HttpHeader> Headers { get; init; } = [];

    /// <summary>How a <c>wss://</c> server's certificate is trusted.</summary>
    public TlsOptions Tls { get; init; } = TlsOptions.SystemTrust;

    /// <summary>A message is scanned up to this many bytes (after decompression); the rest is counted in <see cref="Truncated"/>.</summary>
    public int MaxMessageBytes { get; init; } = 16 << 20;

    /// <summary>Messages read.</summary>
    public long Messages => Interlocked.Read(ref _messages);

    /// <summary>Hash-shaped values in them (ours or not).</summary>
    public long Hashes => Interlocked.Read(ref _hashes);

    /// <summary>Of the run's txs, how many this stream mentioned (each counted once).</summary>
    public long Matched => Interlocked.Read(ref _matched);

    /// <summary>Connections opened (1 when it never dropped).</summary>
    public long Connects => Interlocked.Read(ref _connects);

    /// <summary>Messages longer than <see cref="MaxMessageBytes"/> (scanned in part).</summary>
    public long Truncated => Interlocked.Read(ref _truncated);

    /// <summary>Why the last connection failed or ended, if one did.</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>Called when a connection fails or drops (the message), before it is tried again.</summary>
    public Action<string>? OnError { get; init; }

    /// <summary>Reads the stream until <paramref name="stop"/>, reconnecting after failures.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        TimeSpan backoff = TimeSpan.FromMilliseconds(500);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(FirstBuffer);
        byte[] plain = [];
        try
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    (buffer, plain) = await ReadAsync(buffer, plain, stop).ConfigureAwait(false);
                    backoff = TimeSpan.FromMilliseconds(500);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is WebSocketException or IOException or InvalidOperationException or OperationCanceledException or System.Net.Http.HttpRequestException)
                {
                    if (stop.IsCancellationRequested) return; // the socket was torn down by the stop itself
                    string message = e is OperationCanceledException ? "no connection within 5 s" : e.Message;
                    Volatile.Write(ref _lastError, message);
                    OnError?.Invoke(message);
                }
                try
                {
                    await Task.Delay(backoff, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (plain.Length > 0) ArrayPool<byte>.Shared.Return(plain);
        }
    }

    /// <summary>One connection: reads messages until the server closes it or <paramref name="stop"/>. Hands back the (maybe grown) buffers.</summary>
    private async Task<(byte[] Buffer, byte[] Plain)> ReadAsync(byte[] buffer, byte[] plain, CancellationToken stop)
    {
        using var socket = new ClientWebSocket();
        foreach (HttpHeader header in Headers) socket.Options.SetRequestHeader(header.Name, header.Value);
        if (url.Scheme == "wss") socket.Options.RemoteCertificateValidationCallback = Tls.Callback();
        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(stop))
        {
            connectTimeout.CancelAfter(TimeSpan.FromSeconds(5));
            await socket.ConnectAsync(url, connectTimeout.Token).ConfigureAwait(false);
        }
        Interlocked.Increment(ref _connects);
        while (true)
        {
            int filled = 0;
            long seenTicks = 0;
            bool truncated = false;
            ValueWebSocketReceiveResult received;
            do
            {
                if (filled == buffer.Length)
                {
                    if (buffer.Length >= MaxMessageBytes)
                    {
                        truncated = true;
                        filled = 0; // the rest is read and dropped: the scan sees the first MaxMessageBytes only
                    }
                    else
                    {
                        buffer = Grow(buffer, filled);
                    }
                }
                received = await socket.ReceiveAsync(buffer.AsMemory(truncated ? 0 : filled), stop).ConfigureAwait(false);
                if (seenTicks == 0) seenTicks = Stopwatch.GetTimestamp();
                if (received.MessageType == WebSocketMessageType.Close)
                    throw new IOException($"{url} closed the stream ({socket.CloseStatus}{(socket.CloseStatusDescription is { Length: > 0 } d ? ": " + d : "")})");
                if (!truncated) filled += received.Count;
            }
            while (!received.EndOfMessage);
            if (truncated)
            {
                Interlocked.Increment(ref _truncated);
                filled = buffer.Length;
            }
            Interlocked.Increment(ref _messages);
            ReadOnlySpan<byte> text = buffer.AsSpan(0, filled);
            if (received.MessageType == WebSocketMessageType.Binary && filled > 0 && text[0] is not ((byte)'{' or (byte)'[')
                && Decompress(text, ref plain) is int plainLength and >= 0)
                text = plain.AsSpan(0, plainLength);
            Scan(text, seenTicks);
        }
    }

    /// <summary>Matches every hash in one message.</summary>
    private void Scan(ReadOnlySpan<byte> text, long seenTicks)
    {
        Span<byte> hash = stackalloc byte[32];
        int position = 0;
        long hashes = 0, matched = 0;
        while (HashScanner.TryNext(text, ref position, hash))
        {
            hashes++;
            if (!tracker.TryMatch(index, hash, out long id, out long intendedTicks, out bool first)) continue;
            matched++;
            sink.OnPreconf(index, id, intendedTicks, seenTicks, first);
        }
        if (hashes > 0) Interlocked.Add(ref _hashes, hashes);
        if (matched > 0) Interlocked.Add(ref _matched, matched);
    }

    /// <summary>Brotli-compressed text (flashblocks) into <paramref name="plain"/>: its length, or -1 when it is not Brotli (then it is scanned as it is).</summary>
    private int Decompress(ReadOnlySpan<byte> compressed, ref byte[] plain)
    {
        if (plain.Length == 0) plain = ArrayPool<byte>.Shared.Rent(Math.Max(FirstBuffer, compressed.Length * 4));
        while (true)
        {
            if (BrotliDecoder.TryDecompress(compressed, plain, out int written)) return written; // one native call, no allocation
            // Too small a buffer, or not Brotli at all (then it is scanned as it is): ask a decoder which (rare).
            using (var decoder = new BrotliDecoder())
            {
                OperationStatus status = decoder.Decompress(compressed, plain, out _, out written);
                if (status != OperationStatus.DestinationTooSmall) return -1;
                if (plain.Length >= MaxMessageBytes)
                {
                    Interlocked.Increment(ref _truncated);
                    return written;
                }
            }
            plain = Grow(plain, 0);
        }
    }

    private byte[] Grow(byte[] buffer, int keep)
    {
        byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxMessageBytes));
        buffer.AsSpan(0, keep).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        return bigger;
    }
}
