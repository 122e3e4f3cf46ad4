using System.Buffers.Binary;
using FastLoad.Engine.Crypto;

namespace FastLoad.Engine.Load;

/// <summary>
/// Writes a presigned file (format in <see cref="PresignedFile"/>): the header line and its checksum, then records
/// gathered into checksummed blocks. One block buffer, reused: nothing is allocated per record.
/// </summary>
public sealed class PresignedFileWriter
{
    private readonly Stream _stream;
    private readonly byte[] _block; // [records u32][payload length u32][payload ...], then the CRC is written after it
    private int _length = PresignedFile.BlockHead;
    private int _records;

    /// <summary>Writes <paramref name="header"/> to <paramref name="stream"/>; records follow with <see cref="Write"/>.</summary>
    public PresignedFileWriter(Stream stream, PresignedHeader header)
    {
        _stream = stream;
        _block = new byte[PresignedFile.BlockHead + PresignedFile.BlockTargetBytes + PresignedFile.RecordHead + ushort.MaxValue];
        PresignedFile.WriteHeader(stream, header);
    }

    /// <summary>Records written so far.</summary>
    public long Count { get; private set; }

    public void Write(PresignedTx slot)
    {
        Span<byte> head = _block.AsSpan(_length, PresignedFile.RecordHead);
        BinaryPrimitives.WriteInt32LittleEndian(head, slot.Wallet!.Index);
        BinaryPrimitives.WriteUInt64LittleEndian(head[4..], slot.Nonce);
        slot.TxHash.CopyTo(head[12..]);
        BinaryPrimitives.WriteUInt16LittleEndian(head[44..], checked((ushort)slot.CallLength));
        slot.CallBytes.CopyTo(_block.AsSpan(_length + PresignedFile.RecordHead));
        _length += PresignedFile.RecordHead + slot.CallLength;
        _records++;
        Count++;
        if (_records == PresignedFile.BlockRecords || _length - PresignedFile.BlockHead >= PresignedFile.BlockTargetBytes) FlushBlock();
    }

    /// <summary>Writes the last, partial block. Call once, after the last record.</summary>
    public void Complete()
    {
        if (_records > 0) FlushBlock();
        _stream.Flush();
    }

    private void FlushBlock()
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_block, (uint)_records);
        BinaryPrimitives.WriteUInt32LittleEndian(_block.AsSpan(4), (uint)(_length - PresignedFile.BlockHead));
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(crc, Crc32C.Compute(_block.AsSpan(0, _length)));
        _stream.Write(_block, 0, _length);
        _stream.Write(crc);
        _length = PresignedFile.BlockHead;
        _records = 0;
    }
}
