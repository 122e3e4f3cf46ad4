using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;

namespace FastLoad.Engine.Requests;

public sealed record SignPipelineOptions
{
    /// <summary>Signing threads; default one per core.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Lines per batch handed to a worker.</summary>
    public int BatchLines { get; init; } = 1024;

    /// <summary>Decode every signed tx again and check its recovered sender.</summary>
    public bool Verify { get; init; }
}

public sealed record SignPipelineResult(long Lines, long Errors, TimeSpan Elapsed)
{
    public double LinesPerSecond => Elapsed.TotalSeconds > 0 ? Lines / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Streams JSON-line requests through signing workers and writes one output line per request,
/// in input order. Memory is bounded: a fixed pool of batches circulates between the reader,
/// the workers and the writer, so millions of lines run in constant memory on every core.
/// </summary>
public static class SignPipeline
{
    private sealed class Batch
    {
        public byte[] Input = new byte[64 * 1024];
        public int InputLength;
        public readonly List<(int Start, int Length)> Lines = new(1024);
        public long FirstLineNumber;
        public readonly ArrayBufferWriter<byte> Output = new(256 * 1024);
        public int Errors;
        public readonly SemaphoreSlim Done = new(0, 1);

        public void Reset()
        {
            InputLength = 0;
            Lines.Clear();
            Output.ResetWrittenCount();
            Errors = 0;
        }

        public void Append(ReadOnlySpan<byte> line)
        {
            if (InputLength + line.Length > Input.Length)
                Array.Resize(ref Input, Math.Max(Input.Length * 2, InputLength + line.Length));
            line.CopyTo(Input.AsSpan(InputLength));
            Lines.Add((InputLength, line.Length));
            InputLength += line.Length;
        }
    }

    public static async Task<SignPipelineResult> RunAsync(Stream input, Stream output, SignPipelineOptions options, CancellationToken cancellation = default)
    {
        int workers = Math.Max(1, options.Workers);
        int poolSize = workers * 2 + 2;
        var pool = Channel.CreateBounded<Batch>(poolSize);
        for (int i = 0; i < poolSize; i++) pool.Writer.TryWrite(new Batch());
        var work = Channel.CreateBounded<Batch>(poolSize);
        var ordered = Channel.CreateBounded<Batch>(poolSize);
        var stopwatch = Stopwatch.StartNew();

        Task reader = Task.Run(() => ReadAsync(input, pool.Reader, work.Writer, ordered.Writer, options.BatchLines, cancellation), cancellation);
        var workerTasks = new Task[workers];
        for (int i = 0; i < workers; i++)
            workerTasks[i] = Task.Factory.StartNew(() => Work(work.Reader, options.Verify), cancellation, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Task<(long Lines, long Errors)> writer = WriteAsync(output, ordered.Reader, pool.Writer, cancellation);

        try
        {
            await reader.ConfigureAwait(false);
        }
        finally
        {
            work.Writer.TryComplete();
            ordered.Writer.TryComplete();
        }
        await Task.WhenAll(workerTasks).ConfigureAwait(false);
        (long lines, long errors) = await writer.ConfigureAwait(false);
        return new SignPipelineResult(lines, errors, stopwatch.Elapsed);
    }

    private static async Task ReadAsync(Stream input, ChannelReader<Batch> pool, ChannelWriter<Batch> work, ChannelWriter<Batch> ordered, int batchLines, CancellationToken cancellation)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        byte[] pending = new byte[4096];
        int pendingLength = 0;
        long lineNumber = 1;
        Batch? batch = null;
        try
        {
            while (true)
            {
                int read = await input.ReadAsync(buffer, cancellation).ConfigureAwait(false);
                if (read == 0) break;
                int start = 0;
                while (true)
                {
                    int newline = Array.IndexOf(buffer, (byte)'\n', start, read - start);
                    if (newline < 0)
                    {
                        AppendPending(ref pending, ref pendingLength, buffer.AsSpan(start, read - start));
                        break;
                    }
                    batch ??= await NewBatch(pool, lineNumber, cancellation).ConfigureAwait(false);
                    if (pendingLength > 0)
                    {
                        AppendPending(ref pending, ref pendingLength, buffer.AsSpan(start, newline - start));
                        batch.Append(TrimLine(pending.AsSpan(0, pendingLength)));
                        pendingLength = 0;
                    }
                    else
                    {
                        batch.Append(TrimLine(buffer.AsSpan(start, newline - start)));
                    }
                    lineNumber++;
                    start = newline + 1;
                    if (batch.Lines.Count >= batchLines)
                    {
                        await Dispatch(batch, work, ordered, cancellation).ConfigureAwait(false);
                        batch = null;
                    }
                }
            }
            if (pendingLength > 0)
            {
                batch ??= await NewBatch(pool, lineNumber, cancellation).ConfigureAwait(false);
                batch.Append(TrimLine(pending.AsSpan(0, pendingLength)));
            }
            if (batch is not null && batch.Lines.Count > 0) await Dispatch(batch, work, ordered, cancellation).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ReadOnlySpan<byte> TrimLine(ReadOnlySpan<byte> line) => line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;

    private static void AppendPending(ref byte[] pending, ref int length, ReadOnlySpan<byte> data)
    {
        if (length + data.Length > pending.Length) Array.Resize(ref pending, Math.Max(pending.Length * 2, length + data.Length));
        data.CopyTo(pending.AsSpan(length));
        length += data.Length;
    }

    private static async ValueTask<Batch> NewBatch(ChannelReader<Batch> pool, long firstLine, CancellationToken cancellation)
    {
        Batch batch = await pool.ReadAsync(cancellation).ConfigureAwait(false);
        batch.Reset();
        batch.FirstLineNumber = firstLine;
        return batch;
    }

    private static async ValueTask Dispatch(Batch batch, ChannelWriter<Batch> work, ChannelWriter<Batch> ordered, CancellationToken cancellation)
    {
        await ordered.WriteAsync(batch, cancellation).ConfigureAwait(false);
        await work.WriteAsync(batch, cancellation).ConfigureAwait(false);
    }

    private static void Work(ChannelReader<Batch> work, bool verify)
    {
        var request = new SignRequest();
        var writer = new SignedTxWriter { Verify = verify };
        while (work.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (work.TryRead(out Batch? batch))
            {
                for (int i = 0; i < batch.Lines.Count; i++)
                {
                    (int start, int length) = batch.Lines[i];
                    ReadOnlySpan<byte> line = batch.Input.AsSpan(start, length);
                    long lineNumber = batch.FirstLineNumber + i;
                    if (line.Trim(" \t"u8).IsEmpty) continue; // a blank line is not a request
                    try
                    {
                        request.Parse(line);
                        writer.Sign(request, batch.Output);
                    }
                    catch (SignRequestException e)
                    {
                        SignedTxWriter.WriteError(lineNumber, e.Field, e.Message, batch.Output);
                        batch.Errors++;
                    }
                    catch (Exception e) when (e is ArgumentException or InvalidOperationException or OverflowException or FormatException)
                    {
                        SignedTxWriter.WriteError(lineNumber, "tx", e.Message, batch.Output);
                        batch.Errors++;
                    }
                }
                batch.Done.Release();
            }
        }
    }

    private static async Task<(long Lines, long Errors)> WriteAsync(Stream output, ChannelReader<Batch> ordered, ChannelWriter<Batch> pool, CancellationToken cancellation)
    {
        long lines = 0, errors = 0;
        // Counts requests (non-blank lines).
        await foreach (Batch batch in ordered.ReadAllAsync(cancellation).ConfigureAwait(false))
        {
            await batch.Done.WaitAsync(cancellation).ConfigureAwait(false);
            await output.WriteAsync(batch.Output.WrittenMemory, cancellation).ConfigureAwait(false);
            lines += batch.Lines.Count;
            errors += batch.Errors;
            pool.TryWrite(batch);
        }
        await output.FlushAsync(cancellation).ConfigureAwait(false);
        return (lines, errors);
    }
}
