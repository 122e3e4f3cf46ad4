using System.Text;
using FastLoad.Engine.Load;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Wallets;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Load;

/// <summary>The presigned file format: checksummed header and blocks, and a whole-file check that names what is wrong.</summary>
public sealed class PresignedFileTests : IDisposable
{
    private const int Count = 10_000; // blocks of 4,096 + 4,096 + 1,808 records
    private readonly string _path = TestPaths.NewFile(".bin");
    private readonly long _headerLength; // JSON line, '\n', its CRC
    private readonly long[] _blockOffsets = new long[3];

    public PresignedFileTests()
    {
        var wallets = new[] { new Wallet(0, DeterministicKeys.Derive("file-test", 0)), new Wallet(1, DeterministicKeys.Derive("file-test", 1)) };
        using var file = new FileStream(_path, FileMode.CreateNew);
        var writer = new PresignedFileWriter(file, new PresignedHeader
        {
            ChainId = 31337, TxType = "eip1559", Seed = "file-test", Funder = TestKeys.Funder.Address.ToString(), Wallets = 2, Shard = "0/1",
            Count = Count, MaxCostPerTx = "1",
        });
        _headerLength = file.Position;
        var slot = new PresignedTx(256);
        for (int i = 0; i < Count; i++)
        {
            if (i % PresignedFile.BlockRecords == 0) { file.Flush(); _blockOffsets[i / PresignedFile.BlockRecords] = file.Length; }
            Fill(slot, i, wallets[i % 2]);
            writer.Write(slot);
        }
        writer.Complete();
    }

    public void Dispose() => File.Delete(_path);

    /// <summary>Record i: a call of 100 + i % 50 bytes carrying id i, nonce i / 2, a hash of i.</summary>
    private static void Fill(PresignedTx slot, int i, Wallet wallet)
    {
        string call = $"{{\"jsonrpc\":\"2.0\",\"id\":{i},\"method\":\"eth_sendRawTransaction\",\"params\":[\"0x{new string('a', i % 50)}\"]}}";
        slot.CallLength = Encoding.ASCII.GetBytes(call, slot.Call);
        slot.Nonce = (ulong)i / 2;
        slot.Wallet = wallet;
        Array.Fill(slot.TxHash, (byte)i);
    }

    [Fact]
    public void Every_record_reads_back_as_written_and_the_file_verifies()
    {
        Assert.Equal(Count, PresignedFile.Verify(_path, TestKeys.Funder.Address).Count);
        using PresignedFileReader reader = PresignedFileReader.Open(_path);
        var slot = new PresignedTx(16);
        var expected = new PresignedTx(256);
        int n = 0;
        while (reader.TryRead(slot, out int wallet))
        {
            Fill(expected, n, new Wallet(n % 2, TestKeys.Funder));
            Assert.Equal(n % 2, wallet);
            Assert.Equal(expected.Nonce, slot.Nonce);
            Assert.Equal(n, slot.Id);
            Assert.Equal(expected.TxHash, slot.TxHash);
            Assert.Equal(Encoding.ASCII.GetString(expected.CallBytes), Encoding.ASCII.GetString(slot.CallBytes));
            n++;
        }
        Assert.Equal(Count, n);
    }

    [Theory]
    [InlineData(0, 1)]        // block 0: a byte of its first record's call
    [InlineData(1, 200_000)]  // block 1: deep in its payload
    [InlineData(2, 0)]        // block 2: its record count
    [InlineData(2, 5)]        // block 2: its payload length
    public void A_flipped_byte_in_a_block_is_refused_naming_the_block_and_its_offset(int block, int into)
    {
        long at = _blockOffsets[block] + (block == 0 && into == 1 ? 8 + 46 + 20 : into);
        FlipByte(at);
        RunSetupException e = Assert.Throws<RunSetupException>(() => PresignedFile.Verify(_path, TestKeys.Funder.Address));
        Assert.StartsWith($"{_path}: block {block} at byte {_blockOffsets[block]:N0} ", e.Message);
        Assert.EndsWith("the file is damaged; presign it again", e.Message);
    }

    [Fact]
    public void A_flipped_byte_in_a_blocks_checksum_or_the_header_is_refused()
    {
        FlipByte(_blockOffsets[1] - 2); // the last byte but one of block 0's CRC
        RunSetupException crc = Assert.Throws<RunSetupException>(() => PresignedFile.Verify(_path, TestKeys.Funder.Address));
        Assert.Equal($"{_path}: block 0 at byte {_blockOffsets[0]:N0} fails its checksum: the file is damaged; presign it again", crc.Message);

        FlipByte(_blockOffsets[1] - 2);
        FlipByte(30); // the '3' of "fastload-presigned/3" in the header's JSON
        RunSetupException header = Assert.Throws<RunSetupException>(() => PresignedFile.Verify(_path, TestKeys.Funder.Address));
        Assert.Equal($"{_path}: its header fails its checksum: the file is damaged; presign it again", header.Message);

        FlipByte(30);
        FlipByte(_headerLength - 1); // the header's own checksum
        Assert.Equal(header.Message, Assert.Throws<RunSetupException>(() => PresignedFile.Verify(_path, TestKeys.Funder.Address)).Message);
    }

    [Theory]
    [InlineData("inside block 1")]
    [InlineData("at a block boundary")]
    [InlineData("inside the last checksum")]
    public void A_truncated_file_is_refused_saying_so(string where)
    {
        long length = where switch
        {
            "inside block 1" => _blockOffsets[1] + 1000,
            "at a block boundary" => _blockOffsets[2],
            _ => new FileInfo(_path).Length - 1,
        };
        using (var file = new FileStream(_path, FileMode.Open)) file.SetLength(length);
        RunSetupException e = Assert.Throws<RunSetupException>(() => PresignedFile.Verify(_path, TestKeys.Funder.Address));
        Assert.StartsWith($"{_path}: is truncated", e.Message);
        Assert.Contains(where == "at a block boundary" ? $"ends at byte {_blockOffsets[2]:N0} after 8,192 of 10,000 txs" : "is cut short", e.Message);
    }

    private void FlipByte(long at)
    {
        using var file = new FileStream(_path, FileMode.Open);
        file.Position = at;
        int b = file.ReadByte();
        file.Position = at;
        file.WriteByte((byte)(b ^ 0x10));
    }
}
