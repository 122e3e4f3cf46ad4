using System.Buffers;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using FastLoad.Engine.Rpc;

namespace FastLoad.Benchmarks.Rpc;

/// <summary>
/// Reading the answer to a 100-tx batch as the sink and anvil send it (<c>{"jsonrpc":"2.0","id":N,"result":"0x…"}</c>
/// ×100, about 11 KB): <c>Reader</c> is Utf8JsonReader alone (<see cref="JsonRpcResponseReader.TryReadWithReader"/>,
/// what every body went through before the scan), <c>Scan</c> the scan that <see cref="JsonRpcResponseReader.TryRead"/>
/// uses. One op = one batch. <c>Body</c>: <c>single</c> is one segment; <c>split</c> is the same bytes in two segments
/// cut mid-entry, as a batch crossing the connection's 16 KB read buffer arrives (TryRead copies it into one pooled
/// buffer first); <c>errors</c> is one segment where every 10th entry is a nonce error (those go to the reader).
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory(Macro.HotPath.Category)]
public class ResponseReaderBenchmarks
{
    private ReadOnlySequence<byte> _body;

    [Params("single", "split", "errors")]
    public string Body { get; set; } = "single";

    private struct CountingSink : IRpcEntrySink
    {
        public long IdSum;
        public int Bytes;
        public int Errors;

        public void OnResult(long id, ReadOnlySpan<byte> resultRaw)
        {
            IdSum += id;
            Bytes += resultRaw.Length;
        }

        public void OnError(long id, int code, ReadOnlySpan<byte> message)
        {
            IdSum += id;
            Errors++;
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        var json = new StringBuilder("[");
        for (int i = 0; i < 100; i++)
        {
            long id = 1_000_000 + i;
            if (i > 0) json.Append(',');
            json.Append(Body == "errors" && i % 10 == 9
                ? $$$"""{"jsonrpc":"2.0","id":{{{id}}},"error":{"code":-32003,"message":"nonce too low"}}"""
                : $$"""{"jsonrpc":"2.0","id":{{id}},"result":"0x{{((ulong)id * 0x9E3779B97F4A7C15UL).ToString("x64", CultureInfo.InvariantCulture)}}"}""");
        }
        json.Append(']');
        byte[] bytes = Encoding.UTF8.GetBytes(json.ToString());
        _body = Body == "split" ? Split(bytes, bytes.Length / 2 + 7) : new ReadOnlySequence<byte>(bytes);
        // Both read every entry and agree.
        if (Reader() != Scan() || Scan() == 0) throw new InvalidOperationException("the scan and the reader disagree");
    }

    [Benchmark(Baseline = true)]
    public long Reader()
    {
        var sink = new CountingSink();
        JsonRpcResponseReader.TryReadWithReader(_body, ref sink);
        return sink.IdSum + sink.Bytes + sink.Errors;
    }

    [Benchmark]
    public long Scan()
    {
        var sink = new CountingSink();
        JsonRpcResponseReader.TryRead(_body, ref sink);
        return sink.IdSum + sink.Bytes + sink.Errors;
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex, Segment? next)
        {
            Memory = memory;
            RunningIndex = runningIndex;
            Next = next;
        }
    }

    private static ReadOnlySequence<byte> Split(byte[] bytes, int at)
    {
        var second = new Segment(bytes.AsMemory(at), at, null);
        var first = new Segment(bytes.AsMemory(0, at), 0, second);
        return new ReadOnlySequence<byte>(first, 0, second, bytes.Length - at);
    }
}
