using Microsoft.CodeAnalysis;

namespace FastLoad.Tests.Generators;

/// <summary>
/// The generated encoders, compiled in memory and run: their bytes against hand-computed RLP, and their
/// length functions against what they write. (The test project references the generator as a library, so
/// it does not run on the test project itself; these structs live in <see cref="Source"/>.)
/// </summary>
public class RlpGeneratorBehaviourTests
{
    private const string Source = """
        using System;
        using FastLoad.Engine.Primitives;
        using FastLoad.Engine.Rlp;

        namespace Probe;

        /// <summary>What the generated members give generic code.</summary>
        public interface IEncodable
        {
            int GetRlpLength();
            void EncodeRlp<TWriter>(ref TWriter writer) where TWriter : struct, IRlpWriter, allows ref struct;
        }

        [RlpSerializable] public partial struct OneByte : IEncodable { [RlpField(0)] public byte Value; }
        [RlpSerializable] public partial struct OneUInt : IEncodable { [RlpField(0)] public uint Value; }
        [RlpSerializable] public partial struct OneULong : IEncodable { [RlpField(0)] public ulong Value; }
        [RlpSerializable] public partial struct OneUInt256 : IEncodable { [RlpField(0)] public UInt256 Value; }
        [RlpSerializable] public partial struct OneAddress : IEncodable { [RlpField(0)] public Address Value; }
        [RlpSerializable] public partial struct OneOptionalAddress : IEncodable { [RlpField(0)] public Address? Value; }
        [RlpSerializable] public partial struct OneHash : IEncodable { [RlpField(0)] public Hash256 Value; }
        [RlpSerializable] public partial struct OneBytes : IEncodable { [RlpField(0)] public ReadOnlyMemory<byte> Value; }
        [RlpSerializable] public partial struct ULongList : IEncodable { [RlpField(0)] public ReadOnlyMemory<ulong> Value; }
        [RlpSerializable] public partial struct HashList : IEncodable { [RlpField(0)] public ReadOnlyMemory<Hash256> Value; }
        [RlpSerializable] public partial struct StringList : IEncodable { [RlpField(0)] public ReadOnlyMemory<ReadOnlyMemory<byte>> Value; }

        [RlpSerializable]
        public partial struct Nested : IEncodable
        {
            [RlpField(0)] public ulong A;
            public Nested(ulong a) => A = a;
        }

        [RlpSerializable] public partial struct Outer : IEncodable { [RlpField(0)] public Nested Inner; [RlpField(1)] public ulong B; }
        [RlpSerializable] public partial struct NestedList : IEncodable { [RlpField(0)] public ReadOnlyMemory<Nested> Items; }

        // The set-theoretic representation of three, [ [], [[]], [ [], [[]] ] ], from the RLP spec.
        [RlpSerializable]
        public partial struct SetTwo : IEncodable
        {
            [RlpField(0)] public ReadOnlyMemory<ulong> Zero;
            [RlpField(1)] public ReadOnlyMemory<ReadOnlyMemory<ulong>> One;
        }

        [RlpSerializable]
        public partial struct SetThree : IEncodable
        {
            [RlpField(0)] public ReadOnlyMemory<ulong> Zero;
            [RlpField(1)] public ReadOnlyMemory<ReadOnlyMemory<ulong>> One;
            [RlpField(2)] public SetTwo Two;
        }

        [RlpSerializable]
        public readonly partial record struct Pair([property: RlpField(0)] ulong A, [property: RlpField(1)] ReadOnlyMemory<byte> B) : IEncodable;

        [RlpSerializable]
        public partial struct TestRecord : IEncodable
        {
            [RlpField(0)] public ulong Nonce;
            [RlpField(1)] public UInt256 Value;
            [RlpField(2)] public Address? To;
            [RlpField(3)] public ReadOnlyMemory<byte> Data;
            [RlpField(4)] public ReadOnlyMemory<Hash256> Hashes;
            [RlpField(5)] public Nested Inner;
            [RlpField(6)] public ReadOnlyMemory<Nested> Items;
        }

        public static class Cases
        {
            private static readonly Address Elevens = Address.Parse("0x" + new string('1', 40));
            private static readonly Hash256 TwentyTwos = Hash256.Parse("0x" + new string('2', 64));
            private static readonly Hash256 ThirtyThrees = Hash256.Parse("0x" + new string('3', 64));
            private const string Lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit"; // 56 bytes

            private static ReadOnlyMemory<byte> Ascii(string text) => System.Text.Encoding.ASCII.GetBytes(text);

            /// <summary>The encoding as hex, GetRlpLength(), and the bytes a length counter saw.</summary>
            private static (string Hex, int Length, int Counted) Encode<T>(in T value) where T : struct, IEncodable
            {
                int length = value.GetRlpLength();
                RlpLengthCounter counter = default;
                value.EncodeRlp(ref counter);
                byte[] buffer = new byte[length];
                SpanRlpWriter writer = new(buffer);
                value.EncodeRlp(ref writer);
                return (Convert.ToHexStringLower(writer.Written), length, counter.Length);
            }

            public static (string Hex, int Length, int Counted) Run(string name) => name switch
            {
                "byte 127" => Encode(new OneByte { Value = 127 }),
                "byte 128" => Encode(new OneByte { Value = 128 }),
                "uint max" => Encode(new OneUInt { Value = uint.MaxValue }),
                "ulong 0" => Encode(new OneULong { Value = 0 }),
                "ulong 15" => Encode(new OneULong { Value = 15 }),
                "ulong 1024" => Encode(new OneULong { Value = 1024 }),
                "ulong max" => Encode(new OneULong { Value = ulong.MaxValue }),
                "UInt256 0" => Encode(new OneUInt256 { Value = UInt256.Zero }),
                "UInt256 1024" => Encode(new OneUInt256 { Value = 1024 }),
                "UInt256 2^64" => Encode(new OneUInt256 { Value = new UInt256(0, 1, 0, 0) }),
                "UInt256 2^255" => Encode(new OneUInt256 { Value = new UInt256(0, 0, 0, 1UL << 63) }),
                "Address" => Encode(new OneAddress { Value = Elevens }),
                "Address? null" => Encode(new OneOptionalAddress { Value = null }),
                "Address? set" => Encode(new OneOptionalAddress { Value = Elevens }),
                "Hash256" => Encode(new OneHash { Value = TwentyTwos }),
                "bytes empty" => Encode(new OneBytes { Value = ReadOnlyMemory<byte>.Empty }),
                "bytes 00" => Encode(new OneBytes { Value = new byte[] { 0x00 } }),
                "bytes 7f" => Encode(new OneBytes { Value = new byte[] { 0x7f } }),
                "bytes 80" => Encode(new OneBytes { Value = new byte[] { 0x80 } }),
                "bytes dog" => Encode(new OneBytes { Value = Ascii("dog") }),
                "bytes 55" => Encode(new OneBytes { Value = Ascii(Lorem[..55]) }),
                "bytes 56" => Encode(new OneBytes { Value = Ascii(Lorem) }),
                "ulong list empty" => Encode(new ULongList { Value = ReadOnlyMemory<ulong>.Empty }),
                "ulong list 1 2 3" => Encode(new ULongList { Value = new ulong[] { 1, 2, 3 } }),
                "hash list 2" => Encode(new HashList { Value = new[] { TwentyTwos, ThirtyThrees } }),
                "cat dog" => Encode(new StringList { Value = new[] { Ascii("cat"), Ascii("dog") } }),
                "nested" => Encode(new Outer { Inner = new Nested(1), B = 2 }),
                "nested list" => Encode(new NestedList { Items = new[] { new Nested(1), new Nested(2) } }),
                "set of three" => Encode(new SetThree
                {
                    Zero = ReadOnlyMemory<ulong>.Empty,
                    One = new[] { ReadOnlyMemory<ulong>.Empty },
                    Two = new SetTwo { Zero = ReadOnlyMemory<ulong>.Empty, One = new[] { ReadOnlyMemory<ulong>.Empty } },
                }),
                "record struct" => Encode(new Pair(1, Ascii("dog"))),
                "TestRecord short" => Encode(new TestRecord
                {
                    Nonce = 1024,
                    Value = UInt256.Zero,
                    To = null,
                    Data = Ascii("dog"),
                    Hashes = ReadOnlyMemory<Hash256>.Empty,
                    Inner = new Nested(15),
                    Items = new[] { new Nested(1), new Nested(2) },
                }),
                "TestRecord long" => Encode(new TestRecord
                {
                    Nonce = 15,
                    Value = new UInt256(0, 1, 0, 0),
                    To = Elevens,
                    Data = Ascii("cat"),
                    Hashes = new[] { TwentyTwos },
                    Inner = new Nested(0),
                    Items = ReadOnlyMemory<Nested>.Empty,
                }),
                _ => throw new ArgumentException($"no case '{name}'", nameof(name)),
            };
        }
        """;

    private static readonly Lazy<Compilation> Compiled = new(() =>
    {
        GeneratorRun run = GeneratorRunner.Run(Source);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.OutputErrors().IsEmpty, run.Describe());
        Assert.Empty(run.GeneratedCodeIssues());
        return run.Output;
    });

    private static string Repeat(string hexByte, int count) => string.Concat(Enumerable.Repeat(hexByte, count));

    private static string Hex(string text) => Convert.ToHexStringLower(System.Text.Encoding.ASCII.GetBytes(text));

    private const string Lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";

    // Every struct is itself a list, so each expectation is [list header][the member(s)].
    public static TheoryData<string, string> Vectors => new()
    {
        { "byte 127", "c1" + "7f" },                                   // a byte below 0x80 is its own encoding
        { "byte 128", "c2" + "8180" },
        { "uint max", "c5" + "84ffffffff" },
        { "ulong 0", "c1" + "80" },                                     // zero is the empty string
        { "ulong 15", "c1" + "0f" },
        { "ulong 1024", "c3" + "820400" },
        { "ulong max", "c9" + "88ffffffffffffffff" },
        { "UInt256 0", "c1" + "80" },
        { "UInt256 1024", "c3" + "820400" },
        { "UInt256 2^64", "ca" + "89010000000000000000" },
        { "UInt256 2^255", "e1" + "a080" + Repeat("00", 31) },
        { "Address", "d5" + "94" + Repeat("11", 20) },
        { "Address? null", "c1" + "80" },                               // absent address is the empty string
        { "Address? set", "d5" + "94" + Repeat("11", 20) },
        { "Hash256", "e1" + "a0" + Repeat("22", 32) },
        { "bytes empty", "c1" + "80" },
        { "bytes 00", "c1" + "00" },
        { "bytes 7f", "c1" + "7f" },
        { "bytes 80", "c2" + "8180" },
        { "bytes dog", "c4" + "83" + Hex("dog") },
        { "bytes 55", "f838" + "b7" + Hex(Lorem[..55]) },              // longest short string; 56-byte list gets a long header
        { "bytes 56", "f83a" + "b838" + Hex(Lorem) },                  // shortest long string
        { "ulong list empty", "c1" + "c0" },                            // empty list
        { "ulong list 1 2 3", "c4" + "c3010203" },
        { "hash list 2", "f844" + "f842" + "a0" + Repeat("22", 32) + "a0" + Repeat("33", 32) }, // list over 55 bytes
        { "cat dog", "c9" + "c88363617483646f67" },                     // ["cat","dog"]
        { "nested", "c3" + "c101" + "02" },
        { "nested list", "c5" + "c4c101c102" },
        { "set of three", "c7c0c1c0c3c0c1c0" },                          // [ [], [[]], [ [], [[]] ] ]
        { "record struct", "c5" + "01" + "83646f67" },
        {
            "TestRecord short",
            "d1" + "820400" + "80" + "80" + "83646f67" + "c0" + "c10f" + "c4c101c102"
        },
        {
            "TestRecord long",
            // 1 + 10 + 21 + 4 + 34 + 2 + 1 = 73 = 0x49 bytes of items
            "f849" + "0f" + "89010000000000000000" + "94" + Repeat("11", 20) + "83636174" + "e1a0" + Repeat("22", 32) + "c180" + "c0"
        },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Encodes_known_RLP_vectors(string name, string expectedHex)
    {
        (string hex, int length, _) = Run(name);
        Assert.Equal(expectedHex, hex);
        Assert.Equal(expectedHex.Length / 2, length);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void GetRlpLength_equals_the_bytes_written(string name, string expectedHex)
    {
        (string hex, int length, int counted) = Run(name);
        Assert.Equal(length, counted);
        Assert.Equal(length, hex.Length / 2);
        Assert.Equal(expectedHex.Length, hex.Length);
    }

    private static (string Hex, int Length, int Counted) Run(string name) =>
        ((string, int, int))GeneratorRunner.Invoke(Compiled.Value, "Probe.Cases", "Run", name)!;
}
