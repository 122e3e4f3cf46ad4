using System.Buffers;
using System.Globalization;
using System.Text;
using FastLoad.Engine.Rpc;

namespace FastLoad.Tests.Rpc;

/// <summary>
/// <see cref="JsonRpcResponseReader.TryRead"/> (the scan for the tx-hash layout, the reader for the rest) reports
/// exactly what <see cref="JsonRpcResponseReader.TryReadWithReader"/> (Utf8JsonReader alone) reports: the same
/// entries, ids, bytes, codes and messages, in the same order, and the same verdict, for every body.
/// </summary>
public class JsonRpcResponseReaderFastPathTests
{
    /// <summary>Every call as one line of text, the bytes in hex so nothing is lost in decoding.</summary>
    private struct TranscriptSink : IRpcEntrySink
    {
        public List<string> Calls;

        public void OnResult(long id, ReadOnlySpan<byte> resultRaw) => (Calls ??= []).Add($"R {id} {Convert.ToHexString(resultRaw)}");

        public void OnError(long id, int code, ReadOnlySpan<byte> message) => (Calls ??= []).Add($"E {id} {code} {Convert.ToHexString(message)}");
    }

    private static (bool Ok, List<string> Calls) Fast(ReadOnlySequence<byte> body)
    {
        var sink = new TranscriptSink();
        bool ok = JsonRpcResponseReader.TryRead(body, ref sink);
        return (ok, sink.Calls ?? []);
    }

    private static (bool Ok, List<string> Calls) Reference(ReadOnlySequence<byte> body)
    {
        var sink = new TranscriptSink();
        bool ok = JsonRpcResponseReader.TryReadWithReader(body, ref sink);
        return (ok, sink.Calls ?? []);
    }

    /// <summary>Asserts both paths agree on <paramref name="bytes"/> whole; returns the reference's verdict.</summary>
    private static (bool Ok, List<string> Calls) AssertSame(byte[] bytes)
    {
        var body = new ReadOnlySequence<byte>(bytes);
        (bool Ok, List<string> Calls) expected = Reference(body);
        (bool Ok, List<string> Calls) actual = Fast(body);
        string text = Encoding.UTF8.GetString(bytes);
        Assert.True(expected.Calls.SequenceEqual(actual.Calls), $"entries differ for: {text}\nreader: {string.Join(" | ", expected.Calls)}\nfast:   {string.Join(" | ", actual.Calls)}");
        Assert.True(expected.Ok == actual.Ok, $"verdict differs (reader {expected.Ok}, fast {actual.Ok}) for: {text}");
        return expected;
    }

    private static void AssertSame(ReadOnlySequence<byte> body, (bool Ok, List<string> Calls) expected, string what)
    {
        (bool Ok, List<string> Calls) actual = Fast(body);
        Assert.True(expected.Calls.SequenceEqual(actual.Calls), $"entries differ ({what})\nreader: {string.Join(" | ", expected.Calls)}\nfast:   {string.Join(" | ", actual.Calls)}");
        Assert.True(expected.Ok == actual.Ok, $"verdict differs ({what})");
    }

    private static string Hash(Random random, int digits = 64, bool mixedCase = false)
    {
        var text = new StringBuilder(digits);
        for (int i = 0; i < digits; i++)
        {
            char c = "0123456789abcdef"[random.Next(16)];
            text.Append(mixedCase && random.Next(2) == 0 ? char.ToUpperInvariant(c) : c);
        }
        return text.ToString();
    }

    private static string Matching(long id, string hex) => $$"""{"jsonrpc":"2.0","id":{{id.ToString(CultureInfo.InvariantCulture)}},"result":"0x{{hex}}"}""";

    /// <summary>Entries of the sink's/anvil's exact layout, with ids and hex of every width the scan handles.</summary>
    private static string RandomMatching(Random random) => random.Next(6) switch
    {
        0 => Matching(random.Next(10), Hash(random)),
        1 => Matching(999_999_999_999_999_999, Hash(random)), // the 18-digit edge
        2 => Matching(random.NextInt64(0, 1_000_000_000_000), Hash(random, mixedCase: true)),
        3 => Matching(random.Next(), Hash(random, random.Next(0, 70))),
        _ => Matching(random.Next(100_000), Hash(random)),
    };

    /// <summary>Entries that differ from the layout somewhere; some valid JSON-RPC, some not JSON at all.</summary>
    private static readonly string[] NonMatching =
    [
        // errors, as the sink and anvil send them
        """{"jsonrpc":"2.0","id":7,"error":{"code":-32003,"message":"nonce too low"}}""",
        """{"jsonrpc":"2.0","id":8,"error":{"code":-32000,"message":"rlp: invalid transaction"}}""",
        """{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request"}}""",
        """{"jsonrpc":"2.0","id":9,"error":{"code":3,"message":"execution reverted","data":"0x08c379a0"}}""",
        """{"jsonrpc":"2.0","id":10,"error":{"code":99999999999,"message":"wide code"}}""",
        """{"jsonrpc":"2.0","id":11,"error":"too many requests"}""",
        // other member orders (Nethermind, reth) and extra members
        """{"jsonrpc":"2.0","result":"0xd99845d1d94c29ab565b12e66edf1dcd2d4c5595f1e52e1412142cbbc6cbdc4c","id":12}""",
        """{"id":13,"jsonrpc":"2.0","result":"0xd99845d1d94c29ab565b12e66edf1dcd2d4c5595f1e52e1412142cbbc6cbdc4c"}""",
        """{"jsonrpc":"2.0","id":14,"result":"0xd99845d1d94c29ab565b12e66edf1dcd2d4c5595f1e52e1412142cbbc6cbdc4c","error":null}""",
        """{"jsonrpc":"2.0","id":15,"result":"0xab","extra":[1,{"a":"}"}]}""",
        """{"jsonrpc":"2.0","id":16}""",
        // white space inside
        """{"jsonrpc": "2.0", "id": 17, "result": "0xd99845d1d94c29ab565b12e66edf1dcd2d4c5595f1e52e1412142cbbc6cbdc4c"}""",
        "{\"jsonrpc\":\"2.0\",\"id\":18,\"result\":\"0xab\" }",
        "{\"jsonrpc\":\"2.0\",\"id\":19 ,\"result\":\"0xab\"}",
        // escapes
        """{"jsonrpc":"2.0","id":20,"result":"0x\u0061b"}""",
        """{"jsonrpc":"2.0","id":21,"result":"0xab\n"}""",
        """{"jsonrp\u0063":"2.0","id":22,"result":"0xab"}""",
        // ids the scan leaves to the reader
        """{"jsonrpc":"2.0","id":"23","result":"0xab"}""",
        """{"jsonrpc":"2.0","id":"0x18","result":"0xab"}""",
        """{"jsonrpc":"2.0","id":-25,"result":"0xab"}""",
        """{"jsonrpc":"2.0","id":-0,"result":"0xab"}""",
        """{"jsonrpc":"2.0","id":1000000000000000000,"result":"0xab"}""",
        """{"jsonrpc":"2.0","id":9223372036854775807,"result":"0xab"}""",
        """{"jsonrpc":"2.0","id":9223372036854775808,"result":"0xab"}""",
        """{"jsonrpc":"2.0","id":99999999999999999999999,"result":"0xab"}""",
        """{"jsonrpc":"2.0","id":26.0,"result":"0xab"}""",
        """{"jsonrpc":"2.0","id":2e1,"result":"0xab"}""",
        """{"jsonrpc":"2.0","id":027,"result":"0xab"}""",
        """{"jsonrpc":"2.0","id":null,"result":"0xab"}""",
        """{"jsonrpc":"2.0","result":"0xab"}""",
        // results that are not 0x-hex
        """{"jsonrpc":"2.0","id":30,"result":"0xd99845d1d94c29ab565b12e66edf1dcd2d4c5595f1e52e1412142cbbc6cbdcZZ"}""",
        """{"jsonrpc":"2.0","id":31,"result":"0Xab"}""",
        """{"jsonrpc":"2.0","id":32,"result":"ab"}""",
        """{"jsonrpc":"2.0","id":33,"result":"0x0x"}""",
        """{"jsonrpc":"2.0","id":34,"result":"0xab é"}""",
        """{"jsonrpc":"2.0","id":35,"result":null}""",
        """{"jsonrpc":"2.0","id":36,"result":{"hash":"0xab","n":[1,2]}}""",
        """{"jsonrpc":"2.0","id":37,"result":12}""",
        """{"jsonrpc":"1.0","id":38,"result":"0xab"}""",
        // not JSON (the whole body then reads as false)
        """{"jsonrpc":"2.0","id":40,"result":"0xab}""",
        """{"jsonrpc":"2.0","id":41,"result":"0xab""",
        """{"jsonrpc":"2.0","id":42,"result":"0xab"}}""",
        """{"jsonrpc":"2.0","id":43,"result":"0xab",}""",
        """{"jsonrpc":"2.0","id":44,"result":0xab}""",
        """{"jsonrpc":"2.0","id":45,"result":"0xab"/*c*/}""",
        "{\"jsonrpc\":\"2.0\",\"id\":46,\"error\":{\"code\":1,\"message\":\"bad \xff utf-8\"}}",
        "42",
        "\"0xab\"",
        "[]",
        "null",
    ];

    /// <summary>UTF-8 of the text, except that U+00FF stands for the raw (invalid UTF-8) byte 0xFF.</summary>
    private static byte[] Bytes(string text)
    {
        string[] parts = text.Split('\xff');
        var bytes = new List<byte>();
        for (int i = 0; i < parts.Length; i++)
        {
            if (i > 0) bytes.Add(0xFF);
            bytes.AddRange(Encoding.UTF8.GetBytes(parts[i]));
        }
        return bytes.ToArray();
    }

    private static string RandomSeparator(Random random) => random.Next(8) switch
    {
        0 => ", ",
        1 => "\n,\t",
        2 => " ,\r\n",
        _ => ",",
    };

    private static string Batch(IEnumerable<string> entries, string separator = ",", string after = "") => "[" + string.Join(separator, entries) + "]" + after;

    [Fact]
    public void Matching_batches_are_read_as_the_reader_reads_them()
    {
        var random = new Random(11);
        for (int round = 0; round < 300; round++)
        {
            int count = round == 0 ? 1 : random.Next(1, 120);
            var entries = new List<string>();
            for (int i = 0; i < count; i++) entries.Add(RandomMatching(random));
            (bool ok, List<string> calls) = AssertSame(Bytes(Batch(entries, after: round % 3 == 0 ? "\n" : "")));
            Assert.True(ok);
            Assert.Equal(count, calls.Count);
        }
    }

    [Fact]
    public void A_sink_batch_reports_ids_and_hashes_exactly()
    {
        var random = new Random(5);
        string a = Hash(random), b = Hash(random);
        (bool ok, List<string> calls) = Fast(new ReadOnlySequence<byte>(Bytes(Batch([Matching(0, a), Matching(999_999_999_999_999_999, b)]))));
        Assert.True(ok);
        Assert.Equal(new[]
        {
            "R 0 " + Convert.ToHexString(Encoding.ASCII.GetBytes("0x" + a)),
            "R 999999999999999999 " + Convert.ToHexString(Encoding.ASCII.GetBytes("0x" + b)),
        }, calls);
    }

    [Fact]
    public void Every_non_matching_entry_is_read_as_the_reader_reads_it_alone_and_between_matching_ones()
    {
        var random = new Random(12);
        foreach (string odd in NonMatching)
        {
            AssertSame(Bytes(odd));
            AssertSame(Bytes(Batch([odd])));
            AssertSame(Bytes(Batch([RandomMatching(random), odd])));
            AssertSame(Bytes(Batch([odd, RandomMatching(random)])));
            AssertSame(Bytes(Batch([RandomMatching(random), odd, RandomMatching(random), odd, RandomMatching(random)], RandomSeparator(random))));
        }
    }

    [Fact]
    public void Mixed_batches_agree_whole_and_split_into_random_segments()
    {
        var random = new Random(13);
        for (int round = 0; round < 400; round++)
        {
            int count = random.Next(1, 60);
            var entries = new List<string>();
            for (int i = 0; i < count; i++) entries.Add(random.Next(4) == 0 ? NonMatching[random.Next(NonMatching.Length)] : RandomMatching(random));
            var text = new StringBuilder(random.Next(6) == 0 ? " \n[" : "[");
            for (int i = 0; i < count; i++) text.Append(i == 0 ? "" : RandomSeparator(random)).Append(entries[i]);
            text.Append(random.Next(5) == 0 ? "]\n" : "]");
            byte[] bytes = Bytes(text.ToString());
            (bool Ok, List<string> Calls) expected = AssertSame(bytes);

            int[] cuts = new int[random.Next(1, 6)];
            for (int c = 0; c < cuts.Length; c++) cuts[c] = random.Next(1, bytes.Length);
            // Split bodies are copied and scanned whole: the same as the reader over the whole body.
            AssertSame(Segments.Split(bytes, cuts), expected, $"round {round}, cuts {string.Join(",", cuts)}");
        }
    }

    [Fact]
    public void A_small_batch_split_at_every_position_agrees()
    {
        var random = new Random(14);
        string json = Batch([RandomMatching(random), NonMatching[0], Matching(123456789, Hash(random)), Matching(5, Hash(random, 4))]);
        byte[] bytes = Bytes(json);
        (bool Ok, List<string> Calls) expected = AssertSame(bytes);
        Assert.True(expected.Ok);
        Assert.Equal(4, expected.Calls.Count);
        for (int a = 1; a < bytes.Length; a++)
        {
            AssertSame(Segments.Split(bytes, a), expected, $"cut at {a}");
            AssertSame(Segments.Split(bytes, a, Math.Min(bytes.Length - 1, a + 13)), expected, $"cuts at {a}, {a + 13}");
        }
        AssertSame(Segments.Split(bytes, Enumerable.Range(1, bytes.Length - 1).ToArray()), expected, "one byte per segment");
    }

    [Fact]
    public void Truncated_bodies_agree_at_every_length()
    {
        var random = new Random(15);
        string json = Batch([RandomMatching(random), NonMatching[3], RandomMatching(random), NonMatching[7]]);
        byte[] bytes = Bytes(json);
        for (int length = 0; length <= bytes.Length; length++)
        {
            (bool ok, _) = AssertSame(bytes[..length]);
            Assert.Equal(length == bytes.Length, ok);
        }
        byte[] single = Bytes(RandomMatching(random));
        for (int length = 0; length <= single.Length; length++) AssertSame(single[..length]);
    }

    [Fact]
    public void Bodies_with_one_byte_changed_agree()
    {
        var random = new Random(16);
        byte[] alphabet = "{}[]\",:0123456789abcdefxX-.e \n\\u"u8.ToArray();
        for (int round = 0; round < 3000; round++)
        {
            var entries = new List<string>();
            for (int i = random.Next(1, 6); i > 0; i--) entries.Add(random.Next(5) == 0 ? NonMatching[random.Next(20)] : RandomMatching(random));
            byte[] bytes = Bytes(round % 4 == 0 ? entries[0] : Batch(entries));
            int at = random.Next(bytes.Length);
            bytes[at] = random.Next(10) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
            AssertSame(bytes);
        }
    }

    [Fact]
    public void Deep_nesting_is_refused_at_the_same_depth()
    {
        for (int depth = 58; depth <= 66; depth++)
        {
            string data = new string('[', depth) + new string(']', depth);
            string entry = """{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"m","data":""" + data + "}}";
            AssertSame(Bytes(Batch([Matching(0, "ab"), entry, Matching(2, "cd")])));
            AssertSame(Bytes(entry));
        }
        // The limit is really crossed in this range (the reader says true below it, false above).
        Assert.True(Reference(new ReadOnlySequence<byte>(Bytes(Batch(["""{"id":1,"result":""" + new string('[', 58) + new string(']', 58) + "}"])))).Ok);
        Assert.False(Reference(new ReadOnlySequence<byte>(Bytes(Batch(["""{"id":1,"result":""" + new string('[', 66) + new string(']', 66) + "}"])))).Ok);
    }

    [Fact]
    public void Whole_body_shapes_agree()
    {
        var random = new Random(17);
        string m = RandomMatching(random);
        foreach (string json in new[]
        {
            "", " ", "[", "]", "[]", " [ ] ", "[]x", "[] []", "[,]", "[" + m + ",]", "[" + m + " " + m + "]", "[" + m + "]]",
            "[" + m + "] " + m, m + " ", " " + m + "\n", m + m, m + ",", "[" + m + "," + m, "[" + m + ",", "\uFEFF[" + m + "]",
            "[1," + m + "]", "[" + m + ",1]", "[" + m + ",[]]", "[" + m + ",null]", "{}", "[{}]", "[" + m + ",{}]",
            "[" + m + "]\n\n", "[\t" + m + "\r\n]",
        })
        {
            AssertSame(Bytes(json));
        }
    }

    [Fact]
    public void Invalid_utf8_in_a_split_body_is_reported_as_in_a_whole_one()
    {
        // The reader alone takes a contiguous string's bytes as they are but transcodes one that crosses segments,
        // and throws InvalidOperationException on invalid UTF-8 (the connection then faults: "a response handler
        // threw"). The copy makes a split body read like the whole one.
        byte[] bytes = Bytes(Batch([Matching(1, "ab"), NonMatching.Single(e => e.Contains('\xff'))]));
        (bool Ok, List<string> Calls) whole = AssertSame(bytes);
        Assert.True(whole.Ok);
        Assert.Equal("E 46 1 " + Convert.ToHexString(Bytes("bad \xff utf-8")), whole.Calls[1]);
        int inMessage = Encoding.ASCII.GetString(bytes).IndexOf("bad", StringComparison.Ordinal) + 2;
        ReadOnlySequence<byte> split = Segments.Split(bytes, inMessage);
        Assert.Throws<InvalidOperationException>(() => Reference(split));
        AssertSame(split, whole, "split inside the message");
    }
}
