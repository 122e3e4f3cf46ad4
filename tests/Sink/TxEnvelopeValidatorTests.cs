using FastLoad.Engine.Crypto;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Sink;
using FastLoad.Engine.Transactions;
using FastLoad.Tests.Vectors;

namespace FastLoad.Tests.Sink;

/// <summary>
/// The sink's structural check accepts exactly the envelopes the strict decoder accepts, allocates
/// nothing and never throws.
/// </summary>
public class TxEnvelopeValidatorTests
{
    public static TheoryData<string, int> AllVectors()
    {
        var data = new TheoryData<string, int>();
        foreach (string path in new[] { VectorFiles.SignedTransactionsPath, VectorFiles.Signed7702Path })
        {
            string[] lines = VectorFiles.Lines(path);
            for (int i = 0; i < lines.Length; i++) data.Add(Path.GetFileName(path), i + 1);
        }
        return data;
    }

    private static byte[] Raw(string file, int line) =>
        Hex.Decode(VectorFiles.Field(VectorFiles.Lines(Path.Combine(Path.GetDirectoryName(VectorFiles.SignedTransactionsPath)!, file))[line - 1], "raw"));

    private static bool DecoderAccepts(byte[] raw)
    {
        try
        {
            TransactionDecoder.Decode(raw);
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    [Fact]
    public void Vector_files_hold_360_raw_transactions()
    {
        Assert.Equal(360, AllVectors().Count);
    }

    [Theory]
    [MemberData(nameof(AllVectors))]
    public void Accepts_every_vector_and_rejects_it_truncated_or_with_trailing_bytes(string file, int line)
    {
        byte[] raw = Raw(file, line);
        Assert.Equal(TxEnvelopeCheck.Valid, TxEnvelopeValidator.Check(raw));
        for (int cut = 1; cut < raw.Length; cut++)
        {
            Assert.False(TxEnvelopeValidator.IsWellFormed(raw.AsSpan(0, raw.Length - cut)), $"accepted with the last {cut} byte(s) cut");
        }
        Assert.False(TxEnvelopeValidator.IsWellFormed([.. raw, 0x00]), "accepted a trailing 0x00");
        Assert.False(TxEnvelopeValidator.IsWellFormed([.. raw, 0x80]), "accepted a trailing empty string");
        Assert.False(TxEnvelopeValidator.IsWellFormed([.. raw, .. raw]), "accepted the tx twice");
    }

    [Fact]
    public void Agrees_with_the_strict_decoder_on_thousands_of_mutated_vectors()
    {
        var random = new Random(20261122);
        var lines = AllVectors();
        int accepted = 0, rejected = 0;
        foreach (object[] row in lines)
        {
            byte[] original = Raw((string)row[0], (int)row[1]);
            for (int round = 0; round < 40; round++)
            {
                byte[] mutated = (byte[])original.Clone();
                int edits = 1 + random.Next(2);
                for (int e = 0; e < edits; e++)
                {
                    // Bias towards the header region, where structure lives.
                    int at = random.Next(2) == 0 ? random.Next(Math.Min(8, mutated.Length)) : random.Next(mutated.Length);
                    mutated[at] = random.Next(3) switch
                    {
                        0 => (byte)random.Next(256),
                        1 => (byte)(mutated[at] + 1),
                        _ => (byte)(mutated[at] - 1),
                    };
                }
                bool expected = DecoderAccepts(mutated);
                Assert.True(expected == TxEnvelopeValidator.IsWellFormed(mutated),
                    $"{row[0]}:{row[1]} mutated to {Hex.ToPrefixedString(mutated)}: decoder {(expected ? "accepts" : "rejects")}, validator disagrees");
                if (expected) accepted++;
                else rejected++;
            }
        }
        // Mutations inside values keep the structure; mutations of headers break it. Both must occur.
        Assert.True(accepted > 1000 && rejected > 1000, $"accepted {accepted}, rejected {rejected}");
    }

    [Fact]
    public void Classifies_empty_input_and_unknown_types()
    {
        (byte[] raw, _) = SinkTestTxs.Sign(0);
        Assert.Equal(TxEnvelopeCheck.Empty, TxEnvelopeValidator.Check([]));
        Assert.Equal(TxEnvelopeCheck.UnsupportedType, TxEnvelopeValidator.Check([0x03, .. raw[1..]]));
        Assert.Equal(TxEnvelopeCheck.UnsupportedType, TxEnvelopeValidator.Check([0x00, .. raw[1..]]));
        Assert.Equal(TxEnvelopeCheck.Malformed, TxEnvelopeValidator.Check([0x02]));
        Assert.Equal(TxEnvelopeCheck.Malformed, TxEnvelopeValidator.Check([0x02, 0xc0]));
        Assert.Equal(TxEnvelopeCheck.Malformed, TxEnvelopeValidator.Check([0xc0]));
    }

    [Fact]
    public void Rejects_a_y_parity_other_than_0_or_1()
    {
        (byte[] raw, _) = SinkTestTxs.Sign(0);
        Assert.True(DecoderAccepts(raw));
        // [.., yParity, r(33 bytes: 0xa0 + 32), s(33)]: yParity sits 67 bytes from the end.
        int at = raw.Length - 67;
        Assert.True(raw[at] is 0x80 or 0x01, $"y-parity byte is 0x{raw[at]:x2}");
        raw[at] = 0x02;
        Assert.False(DecoderAccepts(raw));
        Assert.False(TxEnvelopeValidator.IsWellFormed(raw));
    }

    [Fact]
    public void Validating_and_hashing_1000_txs_allocates_nothing()
    {
        byte[][] txs = new byte[1000][];
        for (int i = 0; i < txs.Length; i++) txs[i] = SinkTestTxs.Sign((ulong)i).Raw;
        byte[] hash = new byte[32];
        int valid = Run(txs, hash);   // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        valid += Run(txs, hash);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(2000, valid);
        Assert.Equal(0, allocated);

        static int Run(byte[][] txs, byte[] hash)
        {
            int valid = 0;
            foreach (byte[] tx in txs)
            {
                if (TxEnvelopeValidator.IsWellFormed(tx)) valid++;
                Keccak256.Hash(tx, hash);
            }
            return valid;
        }
    }
}
