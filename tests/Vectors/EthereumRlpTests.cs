using System.Numerics;
using System.Text.Json;
using FastLoad.Engine.Rlp;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Vectors;

/// <summary>ethereum/tests RLPTests: every valid case encodes to its bytes and decodes back; every invalid one is rejected.</summary>
public class EthereumRlpTests
{
    private static string Dir => Path.Combine(TestPaths.Vectors, "ethereum-tests", "RLPTests");

    private static Dictionary<string, JsonElement> Load(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, file)));
        return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    }

    public static TheoryData<string> ValidCases => new(Load("rlptest.json").Keys);

    public static TheoryData<string> InvalidCases => new(Load("invalidRLPTest.json").Keys);

    /// <summary>Encodes a test "in" value with the engine's RLP writer (strings, integers, "#bigint", lists).</summary>
    private static byte[] Encode(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Array:
            {
                byte[][] items = value.EnumerateArray().Select(Encode).ToArray();
                int content = items.Sum(i => i.Length);
                var buffer = new byte[Rlp.LengthOfList(content)];
                var writer = new SpanRlpWriter(buffer);
                Rlp.WriteListHeader(ref writer, content);
                foreach (byte[] item in items) writer.WriteBytes(item);
                Assert.Equal(buffer.Length, writer.Position);
                return buffer;
            }
            case JsonValueKind.Number:
                return EncodeInteger(new BigInteger(value.GetUInt64()));
            default:
            {
                string text = value.GetString()!;
                if (text.StartsWith('#')) return EncodeInteger(BigInteger.Parse(text[1..]));
                byte[] bytes = System.Text.Encoding.Latin1.GetBytes(text);
                var buffer = new byte[Rlp.LengthOf(bytes)];
                var writer = new SpanRlpWriter(buffer);
                Rlp.Write(ref writer, bytes.AsSpan());
                Assert.Equal(buffer.Length, writer.Position);
                return buffer;
            }
        }
    }

    private static byte[] FromHex(string hex) => Convert.FromHexString(hex.StartsWith("0x", StringComparison.Ordinal) ? hex[2..] : hex);

    private static byte[] EncodeInteger(BigInteger value)
    {
        byte[] minimal = value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true);
        if (minimal.Length > 32)
        {
            // The engine's integers stop at 256 bits; a wider one is, in RLP, just its minimal big-endian bytes.
            var wide = new byte[Rlp.LengthOf(minimal)];
            var wideWriter = new SpanRlpWriter(wide);
            Rlp.Write(ref wideWriter, minimal.AsSpan());
            return wide;
        }
        var v = Engine.Primitives.UInt256.FromBigEndian(minimal);
        var buffer = new byte[Rlp.LengthOf(v)];
        var writer = new SpanRlpWriter(buffer);
        Rlp.Write(ref writer, v);
        Assert.Equal(buffer.Length, writer.Position);
        return buffer;
    }

    /// <summary>Walks one whole item strictly, checking its structure against the expected value when given.</summary>
    private static void DecodeItem(ref RlpReader reader, JsonElement? expected)
    {
        if (reader.PeekIsList)
        {
            int end = reader.ReadListHeader();
            JsonElement[]? items = expected?.EnumerateArray().ToArray();
            int index = 0;
            while (reader.Position < end)
            {
                DecodeItem(ref reader, items?[index]);
                index++;
            }
            reader.ExpectEnd(end);
            if (items is not null) Assert.Equal(items.Length, index);
            return;
        }
        ReadOnlySpan<byte> bytes = reader.ReadString();
        if (expected is not { } e) return;
        if (e.ValueKind == JsonValueKind.Number)
            Assert.Equal(new BigInteger(e.GetUInt64()), new BigInteger(bytes, isUnsigned: true, isBigEndian: true));
        else if (e.GetString()!.StartsWith('#'))
            Assert.Equal(BigInteger.Parse(e.GetString()![1..]), new BigInteger(bytes, isUnsigned: true, isBigEndian: true));
        else
            Assert.Equal(e.GetString(), System.Text.Encoding.Latin1.GetString(bytes));
    }

    private static void DecodeWhole(byte[] bytes, JsonElement? expected)
    {
        var reader = new RlpReader(bytes);
        DecodeItem(ref reader, expected);
        reader.ExpectEndOfInput();
    }

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void Encodes_valid_case_to_expected_bytes(string name)
    {
        JsonElement test = Load("rlptest.json")[name];
        Assert.Equal(Convert.ToHexStringLower(FromHex(test.GetProperty("out").GetString()!)), Convert.ToHexStringLower(Encode(test.GetProperty("in"))));
    }

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void Decodes_valid_case_back_to_its_value(string name)
    {
        JsonElement test = Load("rlptest.json")[name];
        DecodeWhole(FromHex((test.GetProperty("out").GetString()!)), test.GetProperty("in"));
    }

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Rejects_invalid_case(string name)
    {
        JsonElement test = Load("invalidRLPTest.json")[name];
        byte[] bytes = FromHex((test.GetProperty("out").GetString()!));
        Assert.Throws<RlpException>(() => DecodeWhole(bytes, null));
    }

    [Fact]
    public void Decodes_random_valid_example()
    {
        JsonElement test = Load(Path.Combine("RandomRLPTests", "example.json")).Values.Single();
        Assert.Equal("VALID", test.GetProperty("in").GetString());
        DecodeWhole(FromHex((test.GetProperty("out").GetString()!)), null);
    }
}
