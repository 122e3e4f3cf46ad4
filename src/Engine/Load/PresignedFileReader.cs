using System.Buffers.Binary;
using FastLoad.Engine.Crypto;

namespace FastLoad.Engine.Load;

/// <summary>
/// Reads a presigned file (format in <see cref="PresignedFile"/>) block by block: each block is read whole, its
/// checksum and record layout checked, and only then are its records handed out. A damaged or truncated file is a
/// one-line <see cref="InvalidDataException"/> naming the block and its byte offset. One reused block buffer:
/// nothing is allocated per record.
/// </summary>
public sealed class PresignedFileReader : IDisposable
{
    private readonly Stream _stream;
    private byte[] _block = new byte[PresignedFile.BlockTargetBytes + PresignedFile.RecordHead + ushort.MaxValue];
    private int _position;
    private int _blockRecords;
    private int _readInBlock;
    private int _current;         // the record TryNext moved to: its offset in the block and its call's length
    private int _currentLength;
    private long _blocks;         // blocks loaded so far
    private long _offset;         // file offset of the next block
    private long _recordsInBlocks; // records in the blocks loaded so far

    private PresignedFileReader(Stream stream)
    {
        _stream = stream;
        Header = PresignedFile.ReadHeader(stream, out long headerBytes);
        _offset = headerBytes;
    }

    public PresignedHeader Header { get; }

    /// <summary>Opens <paramref name="path"/> and reads its header (throws <see cref="InvalidDataException"/> if it is not a presigned file of this version).</summary>
    public static PresignedFileReader Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            return new PresignedFileReader(stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads the next record into <paramref name="slot"/>; false after the last one.</summary>
    public bool TryRead(PresignedTx slot, out int walletIndex)
    {
        if (!TryNext(out walletIndex)) return false;
        CopyTo(slot);
        return true;
    }

    /// <summary>
    /// Moves to the next record and gives its wallet index, so the caller can choose where it goes before
    /// <see cref="CopyTo"/> copies it there (straight from the checked block into a ring slot: one copy); false after
    /// the last one.
    /// </summary>
    public bool TryNext(out int walletIndex)
    {
        if (!TryNextRecord(out _current, out _currentLength))
        {
            walletIndex = -1;
            return false;
        }
        walletIndex = BinaryPrimitives.ReadInt32LittleEndian(_block.AsSpan(_current));
        return true;
    }

    /// <summary>Copies the record <see cref="TryNext"/> moved to into <paramref name="slot"/>: nonce, tx hash, call and its id.</summary>
    public void CopyTo(PresignedTx slot)
    {
        ReadOnlySpan<byte> head = _block.AsSpan(_current, PresignedFile.RecordHead);
        slot.Nonce = BinaryPrimitives.ReadUInt64LittleEndian(head[4..]);
        head.Slice(12, 32).CopyTo(slot.TxHash);
        slot.EnsureCapacity(_currentLength);
        ReadOnlySpan<byte> call = _block.AsSpan(_current + PresignedFile.RecordHead, _currentLength);
        call.CopyTo(slot.Call);
        slot.CallLength = _currentLength;
        slot.Id = PresignedFile.ReadId(call);
    }

    /// <summary>The nonce of the record <see cref="TryNext"/> moved to.</summary>
    public ulong CurrentNonce => BinaryPrimitives.ReadUInt64LittleEndian(_block.AsSpan(_current + 4));

    /// <summary>Reads to the end of the file, checking every block (checksum, layout, count), without decoding records.</summary>
    public void VerifyToEnd()
    {
        while (TryNextRecord(out _, out _)) { }
    }

    private bool TryNextRecord(out int at, out int length)
    {
        if (_readInBlock == _blockRecords && !TryReadBlock())
        {
            at = length = 0;
            return false;
        }
        at = _position;
        length = BinaryPrimitives.ReadUInt16LittleEndian(_block.AsSpan(at + 44));
        _position += PresignedFile.RecordHead + length;
        _readInBlock++;
        return true;
    }

    /// <summary>Loads and checks the next block; false at a clean end of the file.</summary>
    private bool TryReadBlock()
    {
        long blockOffset = _offset;
        long block = _blocks;
        Span<byte> head = stackalloc byte[PresignedFile.BlockHead];
        int read = _stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (read == 0)
        {
            if (_recordsInBlocks != Header.Count)
                throw new InvalidDataException($"is truncated: it ends at byte {blockOffset:N0} after {_recordsInBlocks:N0} of {Header.Count:N0} txs; presign it again");
            return false;
        }
        if (read < head.Length) throw CutShort(block, blockOffset);
        uint records = BinaryPrimitives.ReadUInt32LittleEndian(head);
        uint payload = BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
        if (records == 0 || records > PresignedFile.BlockRecords || payload > PresignedFile.MaxBlockBytes || payload < records * (ulong)PresignedFile.RecordHead)
            throw Damaged(block, blockOffset, "has an impossible size");
        if (_block.Length < payload) _block = new byte[payload];
        if (_stream.ReadAtLeast(_block.AsSpan(0, (int)payload), (int)payload, throwOnEndOfStream: false) < payload) throw CutShort(block, blockOffset);
        Span<byte> stored = stackalloc byte[4];
        if (_stream.ReadAtLeast(stored, 4, throwOnEndOfStream: false) < 4) throw CutShort(block, blockOffset);
        uint crc = Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Start, head), _block.AsSpan(0, (int)payload)));
        if (crc != BinaryPrimitives.ReadUInt32LittleEndian(stored)) throw Damaged(block, blockOffset, "fails its checksum");
        // The records must fill the payload exactly.
        int position = 0;
        for (uint r = 0; r < records; r++)
        {
            if (position + PresignedFile.RecordHead > payload) throw Damaged(block, blockOffset, "has records that overrun it");
            position += PresignedFile.RecordHead + BinaryPrimitives.ReadUInt16LittleEndian(_block.AsSpan(position + 44));
        }
        if (position != payload) throw Damaged(block, blockOffset, "has records that do not fill it");
        if (_recordsInBlocks + records > Header.Count) throw Damaged(block, blockOffset, $"goes past the {Header.Count:N0} txs the header announces");
        _recordsInBlocks += records;
        _blocks++;
        _offset += PresignedFile.BlockHead + payload + 4;
        _blockRecords = (int)records;
        _readInBlock = 0;
        _position = 0;
        return true;
    }

    private InvalidDataException CutShort(long block, long offset) =>
        new($"is truncated: block {block:N0} at byte {offset:N0} is cut short ({_recordsInBlocks:N0} of {Header.Count:N0} txs complete before it); presign it again");

    private static InvalidDataException Damaged(long block, long offset, string what) =>
        new($"block {block:N0} at byte {offset:N0} {what}: the file is damaged; presign it again");

    public void Dispose() => _stream.Dispose();
}
