using System.Buffers.Binary;
using System.Security.Cryptography;
using FastLoad.Engine.Crypto;

namespace FastLoad.Tests.Crypto;

public class Keccak256Tests
{
    // Expected digests below were cross-checked against ReferenceKeccak (at the end of this file),
    // which itself is validated against the platform SHA3-256 in Reference_implementation_matches_platform_sha3_256.

    [Fact]
    public void Hashes_empty_input() =>
        Assert.Equal("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470", OneShot([]));

    [Fact]
    public void Hashes_abc() =>
        Assert.Equal("4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45", OneShot("abc"u8));

    [Fact]
    public void Hashes_200_repeated_a_across_two_blocks() =>
        Assert.Equal("96ea54061def936c4be90b518992fdc6f12f535068a256229aca54267b4d084d", OneShot(Repeat((byte)'a', 200)));

    [Theory]
    [InlineData(135, "cbdfd9dee5faad3818d6b06f95a219fd290b0e1706f6a82e5a595b9ce9faca62")] // 0x01 and 0x80 share the last byte
    [InlineData(136, "7ce759f1ab7f9ce437719970c26b0a66ff11fe3e38e17df89cf5d29c7d7f807e")] // exactly one block: padding needs a second block
    [InlineData(137, "ac73d4fae68b8453f764007c1a20ce95994187861f0c3227a3a8e99a73a3b1db")]
    [InlineData(272, "fdf2ec49e749960d3c8521a0219af8d03e30e2b3bf19bd16150ee0eaf133d66e")]
    public void Hashes_inputs_around_the_rate_boundary(int length, string expected)
    {
        byte[] data = Sequence(length);
        Assert.Equal(expected, OneShot(data));
        Assert.Equal(expected, ByteByByte(data));
        Assert.Equal(expected, Incremental(data, new Random(length), maxChunk: 140));
    }

    [Fact]
    public void Incremental_equals_one_shot_for_any_split()
    {
        var random = new Random(12345);
        for (int length = 0; length <= 300; length++)
        {
            byte[] data = Sequence(length);
            string expected = OneShot(data);

            Assert.Equal(expected, ByteByByte(data));
            Assert.Equal(expected, SingleByteSpans(data));
            for (int trial = 0; trial < 16; trial++)
                Assert.Equal(expected, Incremental(data, random, maxChunk: trial < 8 ? 8 : length));
        }
    }

    [Fact]
    public void Matches_reference_implementation_for_lengths_0_to_300()
    {
        for (int length = 0; length <= 300; length++)
        {
            byte[] data = Sequence(length);
            Assert.Equal(Convert.ToHexStringLower(ReferenceKeccak.Hash256(data, domainByte: 0x01)), OneShot(data));
        }
    }

    [Fact]
    public void Reference_implementation_matches_platform_sha3_256()
    {
        if (!SHA3_256.IsSupported)
            return; // platform crypto without SHA-3 (e.g. old OpenSSL): nothing to compare against

        for (int length = 0; length <= 300; length++)
        {
            byte[] data = Sequence(length);
            Assert.Equal(SHA3_256.HashData(data), ReferenceKeccak.Hash256(data, domainByte: 0x06));
        }
    }

    [Fact]
    public void Is_not_sha3_256()
    {
        // SHA3-256("") = a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a
        Assert.NotEqual("a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a", OneShot([]));
    }

    [Fact]
    public void Default_instance_and_Create_are_both_ready_to_use()
    {
        Keccak256 fromDefault = default;
        fromDefault.Update("abc"u8);
        var fromCreate = Keccak256.Create();
        fromCreate.Update("abc"u8);

        Assert.Equal(OneShot("abc"u8), Finish(ref fromDefault));
        Assert.Equal(OneShot("abc"u8), Finish(ref fromCreate));
    }

    [Fact]
    public void Final_resets_the_hasher_for_reuse()
    {
        var hasher = Keccak256.Create();
        hasher.Update(Sequence(150));
        _ = Finish(ref hasher);

        hasher.Update("abc"u8);
        Assert.Equal(OneShot("abc"u8), Finish(ref hasher));
        Assert.Equal(OneShot([]), Finish(ref hasher));
    }

    [Fact]
    public void Copy_of_hasher_forks_the_state()
    {
        byte[] prefix = Sequence(100);
        var hasher = Keccak256.Create();
        hasher.Update(prefix);

        Keccak256 fork = hasher;
        hasher.Update("x"u8);
        fork.Update("y"u8);

        Assert.Equal(OneShot([.. prefix, (byte)'x']), Finish(ref hasher));
        Assert.Equal(OneShot([.. prefix, (byte)'y']), Finish(ref fork));
    }

    [Fact]
    public void Writes_only_the_first_32_bytes_of_a_larger_output()
    {
        byte[] output = Repeat(0xEE, 40);
        Keccak256.Hash("abc"u8, output);

        Assert.Equal(OneShot("abc"u8), Convert.ToHexStringLower(output.AsSpan(0, Keccak256.HashSize)));
        Assert.All(output[Keccak256.HashSize..], b => Assert.Equal(0xEE, b));
    }

    [Fact]
    public void Output_may_alias_the_input()
    {
        byte[] buffer = Sequence(200);
        string expected = OneShot(buffer);

        Keccak256.Hash(buffer, buffer);

        Assert.Equal(expected, Convert.ToHexStringLower(buffer.AsSpan(0, Keccak256.HashSize)));
    }

    [Fact]
    public void Rejects_output_shorter_than_32_bytes()
    {
        var oneShot = Assert.Throws<ArgumentException>(() => Keccak256.Hash("abc"u8, new byte[31]));
        Assert.Equal("output32", oneShot.ParamName);

        var incremental = Assert.Throws<ArgumentException>(() =>
        {
            var hasher = Keccak256.Create();
            hasher.Final(new byte[31]);
        });
        Assert.Equal("output32", incremental.ParamName);
    }

    [Fact]
    public void Does_not_allocate()
    {
        byte[] data = Sequence(1024);
        Span<byte> output = stackalloc byte[Keccak256.HashSize];
        HashManyTimes(data, output, iterations: 100); // warm up / tier up first

        long before = GC.GetAllocatedBytesForCurrentThread();
        HashManyTimes(data, output, iterations: 10_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    private static void HashManyTimes(byte[] data, Span<byte> output, int iterations)
    {
        for (int i = 0; i < iterations; i++)
        {
            int length = i % (data.Length + 1);
            Keccak256.Hash(data.AsSpan(0, length), output);

            var hasher = Keccak256.Create();
            hasher.Update(data.AsSpan(0, length / 2));
            hasher.Update((byte)i);
            hasher.Update(data.AsSpan(length / 2, length - length / 2));
            hasher.Final(output);
        }
    }

    private static string OneShot(ReadOnlySpan<byte> data)
    {
        Span<byte> output = stackalloc byte[Keccak256.HashSize];
        Keccak256.Hash(data, output);
        return Convert.ToHexStringLower(output);
    }

    private static string Finish(ref Keccak256 hasher)
    {
        Span<byte> output = stackalloc byte[Keccak256.HashSize];
        hasher.Final(output);
        return Convert.ToHexStringLower(output);
    }

    private static string ByteByByte(byte[] data)
    {
        var hasher = Keccak256.Create();
        foreach (byte b in data)
            hasher.Update(b);
        return Finish(ref hasher);
    }

    private static string SingleByteSpans(byte[] data)
    {
        var hasher = Keccak256.Create();
        for (int i = 0; i < data.Length; i++)
            hasher.Update(data.AsSpan(i, 1));
        return Finish(ref hasher);
    }

    /// <summary>Feeds random chunks of 0..maxChunk bytes, mixing in single-byte updates.</summary>
    private static string Incremental(byte[] data, Random random, int maxChunk)
    {
        var hasher = Keccak256.Create();
        int position = 0;
        while (position < data.Length)
        {
            int chunk = random.Next(0, Math.Min(maxChunk, data.Length - position) + 1);
            if (chunk == 1 && random.Next(2) == 0)
                hasher.Update(data[position]);
            else
                hasher.Update(data.AsSpan(position, chunk));
            position += chunk;
        }
        return Finish(ref hasher);
    }

    private static byte[] Sequence(int length)
    {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++)
            data[i] = (byte)i;
        return data;
    }

    private static byte[] Repeat(byte value, int count)
    {
        byte[] data = new byte[count];
        data.AsSpan().Fill(value);
        return data;
    }

    /// <summary>
    /// Slow textbook Keccak[c=512] following the FIPS 202 step mappings literally (θ, ρ, π, χ, ι on a[x, y]).
    /// Round constants come from the rc(t) LFSR and ρ offsets from the (x, y) walk, so no tables are
    /// shared with the optimized implementation. Allocates freely; test use only.
    /// </summary>
    private static class ReferenceKeccak
    {
        /// <param name="domainByte">0x01 for original Keccak (Ethereum), 0x06 for FIPS 202 SHA3-256.</param>
        public static byte[] Hash256(ReadOnlySpan<byte> message, byte domainByte)
        {
            const int rate = 136;
            byte[] padded = new byte[(message.Length / rate + 1) * rate];
            message.CopyTo(padded);
            padded[message.Length] ^= domainByte;
            padded[^1] ^= 0x80;

            var a = new ulong[5, 5];
            for (int offset = 0; offset < padded.Length; offset += rate)
            {
                for (int i = 0; i < rate / 8; i++)
                    a[i % 5, i / 5] ^= BinaryPrimitives.ReadUInt64LittleEndian(padded.AsSpan(offset + 8 * i));
                for (int round = 0; round < 24; round++)
                    Round(a, round);
            }

            byte[] digest = new byte[32];
            for (int i = 0; i < 4; i++)
                BinaryPrimitives.WriteUInt64LittleEndian(digest.AsSpan(8 * i), a[i, 0]);
            return digest;
        }

        private static void Round(ulong[,] a, int round)
        {
            // θ
            var c = new ulong[5];
            for (int x = 0; x < 5; x++)
                c[x] = a[x, 0] ^ a[x, 1] ^ a[x, 2] ^ a[x, 3] ^ a[x, 4];
            for (int x = 0; x < 5; x++)
                for (int y = 0; y < 5; y++)
                    a[x, y] ^= c[(x + 4) % 5] ^ Rotl(c[(x + 1) % 5], 1);

            // ρ: walk (x, y) → (y, 2x + 3y), rotating by (t + 1)(t + 2) / 2.
            var rho = (ulong[,])a.Clone();
            for (int t = 0, x = 1, y = 0; t < 24; t++)
            {
                rho[x, y] = Rotl(a[x, y], (t + 1) * (t + 2) / 2 % 64);
                (x, y) = (y, (2 * x + 3 * y) % 5);
            }

            // π
            var pi = new ulong[5, 5];
            for (int x = 0; x < 5; x++)
                for (int y = 0; y < 5; y++)
                    pi[x, y] = rho[(x + 3 * y) % 5, x];

            // χ
            for (int x = 0; x < 5; x++)
                for (int y = 0; y < 5; y++)
                    a[x, y] = pi[x, y] ^ (~pi[(x + 1) % 5, y] & pi[(x + 2) % 5, y]);

            // ι: RC bit 2^j - 1 = rc(j + 7 * round)
            ulong rc = 0;
            for (int j = 0; j <= 6; j++)
                if (RcBit(j + 7 * round))
                    rc |= 1UL << ((1 << j) - 1);
            a[0, 0] ^= rc;
        }

        /// <summary>FIPS 202 Algorithm 5: the rc(t) LFSR, x^8 + x^6 + x^5 + x^4 + 1.</summary>
        private static bool RcBit(int t)
        {
            if (t % 255 == 0)
                return true;
            int r = 1; // bit k = R[k]
            for (int i = 1; i <= t % 255; i++)
            {
                r <<= 1;                       // R = 0 || R
                if ((r & 0x100) != 0)
                    r ^= 0x100 | 0x71;         // R[0,4,5,6] ^= R[8]; truncate to 8 bits
            }
            return (r & 1) != 0;
        }

        private static ulong Rotl(ulong v, int n) => n == 0 ? v : (v << n) | (v >> (64 - n));
    }
}
