using System.Buffers;
using System.Text;
using FastLoad.Engine.Rpc;

namespace FastLoad.Tests.Rpc;

public class JsonRpcResponseReaderTests
{
    /// <summary>Collects entries as text (allocates; the allocation test has its own sink).</summary>
    private struct CollectingSink : IRpcEntrySink
    {
        public List<string> Entries;

        public void OnResult(long id, ReadOnlySpan<byte> resultRaw) => (Entries ??= []).Add($"{id}:result:{Encoding.UTF8.GetString(resultRaw)}");

        public void OnError(long id, int code, ReadOnlySpan<byte> message) => (Entries ??= []).Add($"{id}:error:{code}:{Encoding.UTF8.GetString(message)}");
    }

    private static List<string>? Read(ReadOnlySequence<byte> body, out bool ok)
    {
        var sink = new CollectingSink();
        ok = JsonRpcResponseReader.TryRead(body, ref sink);
        return sink.Entries;
    }

    private static List<string> ReadValid(string json)
    {
        List<string>? entries = Read(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)), out bool ok);
        Assert.True(ok, json);
        return entries ?? [];
    }

    [Fact]
    public void Reads_a_batch_of_hashes_and_errors_in_order()
    {
        List<string> entries = ReadValid("""
            [{"jsonrpc":"2.0","id":1,"result":"0xd99845d1d94c29ab565b12e66edf1dcd2d4c5595f1e52e1412142cbbc6cbdc4c"},
             {"jsonrpc":"2.0","id":2,"error":{"code":-32003,"message":"nonce too low"}}]
            """);
        Assert.Equal(new[]
        {
            "1:result:0xd99845d1d94c29ab565b12e66edf1dcd2d4c5595f1e52e1412142cbbc6cbdc4c",
            "2:error:-32003:nonce too low",
        }, entries);
    }

    [Fact]
    public void Reads_a_single_object()
    {
        Assert.Equal(new[] { "7:result:0x7a69" }, ReadValid("""{"jsonrpc":"2.0","id":7,"result":"0x7a69"}"""));
    }

    [Fact]
    public void Reports_object_and_null_results_as_raw_json()
    {
        List<string> entries = ReadValid("""
            [{"id":1,"jsonrpc":"2.0","result":{"number":"0x1","transactions":[1,[2,{"a":"}"}]]}},
             {"id":2,"result":null},{"id":3,"result":[]},{"id":4,"result":12.5e3},{"id":5,"result":false}]
            """);
        Assert.Equal(new[]
        {
            """1:result:{"number":"0x1","transactions":[1,[2,{"a":"}"}]]}""",
            "2:result:null", "3:result:[]", "4:result:12.5e3", "5:result:false",
        }, entries);
    }

    [Fact]
    public void Reads_members_in_any_order_with_error_before_id_and_data()
    {
        List<string> entries = ReadValid("""
            [{"error":{"data":{"reason":"x","nested":[1,2]},"message":"replacement transaction underpriced","code":-32000},"jsonrpc":"2.0","id":"12"},
             {"result":"0xab","id":13,"jsonrpc":"2.0"},
             {"error":{"message":"execution reverted","code":3,"data":"0x08c379a0"},"id":14}]
            """);
        Assert.Equal(new[]
        {
            "12:error:-32000:replacement transaction underpriced",
            "13:result:0xab",
            "14:error:3:execution reverted",
        }, entries);
    }

    [Fact]
    public void Reads_numeric_string_ids_including_hex()
    {
        Assert.Equal(new[] { "42:result:1", "255:result:2" }, ReadValid("""[{"id":"42","result":"1"},{"id":"0xff","result":"2"}]"""));
    }

    [Fact]
    public void A_top_level_error_without_id_applies_to_the_whole_request()
    {
        Assert.Equal(new[] { "-1:error:-32600:Invalid request" }, ReadValid("""{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid request"}}"""));
        Assert.Equal(new[] { "-1:error:-32005:rate limited" }, ReadValid("""{"jsonrpc":"2.0","error":{"code":-32005,"message":"rate limited"}}"""));
    }

    [Fact]
    public void Unescapes_strings_and_tolerates_a_null_error_and_a_string_error()
    {
        List<string> entries = ReadValid("""
            [{"id":1,"error":{"code":-32000,"message":"sender doesn\u0027t have \"enough\" funds \u00e9"}},
             {"id":2,"result":"0x\u0061b","error":null},
             {"id":3,"error":"too many requests"}]
            """);
        Assert.Equal(new[]
        {
            "1:error:-32000:sender doesn't have \"enough\" funds é",
            "2:result:0xab",
            "3:error:0:too many requests",
        }, entries);
    }

    [Fact]
    public void Reads_a_body_split_into_segments_at_every_position()
    {
        string json = """[{"jsonrpc":"2.0","id":1,"result":"0xd99845d1d94c29ab565b12e66edf1dcd2d4c5595f1e52e1412142cbbc6cbdc4c"},{"error":{"code":-32003,"message":"nonce too low","data":{"a":[1]}},"id":"2"},{"id":3,"result":{"k":"v\n"}}]""";
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        List<string> expected = ReadValid(json);
        Assert.Equal(3, expected.Count);
        for (int a = 1; a < bytes.Length; a++)
        {
            int b = Math.Min(bytes.Length - 1, a + 7);
            ReadOnlySequence<byte> body = Segments.Split(bytes, a, b);
            Assert.False(body.IsSingleSegment);
            Assert.Equal(expected, Read(body, out bool ok));
            Assert.True(ok);
        }
        // One byte per segment.
        Assert.Equal(expected, Read(Segments.Split(bytes, Enumerable.Range(1, bytes.Length - 1).ToArray()), out bool every));
        Assert.True(every);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not json")]
    [InlineData("\"0x1\"")]
    [InlineData("42")]
    [InlineData("[1,2]")]
    [InlineData("""{"jsonrpc":"2.0","id":1}""")] // neither result nor error
    [InlineData("""{"jsonrpc":"2.0","id":{"x":1},"result":"0x1"}""")] // id is not a number
    [InlineData("""{"jsonrpc":"2.0","id":"abc","result":"0x1"}""")]
    [InlineData("""{"id":1,"result":"0x1"} {"id":2,"result":"0x2"}""")] // two values
    [InlineData("""[{"id":1,"result":"0x1"}""")] // truncated
    [InlineData("""{"id":1,"error":42}""")]
    public void Rejects_bodies_that_are_not_json_rpc(string json)
    {
        Read(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)), out bool ok);
        Assert.False(ok);
    }
}

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/>s for tests.</summary>
public static class Segments
{
    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    /// <summary>Splits <paramref name="bytes"/> at the given ascending offsets, each piece in its own array.</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, params int[] cuts)
    {
        int[] bounds = [0, .. cuts.Where(c => c > 0 && c < bytes.Length).Distinct().Order(), bytes.Length];
        Segment first = new(bytes[bounds[0]..bounds[1]], 0);
        Segment last = first;
        for (int i = 1; i < bounds.Length - 1; i++) last = last.Append(bytes[bounds[i]..bounds[i + 1]]);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
