using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using FastLoad.Engine.Transactions;

namespace FastLoad.Engine.Load;

/// <summary>The first line of a presigned file: what the txs were signed for.</summary>
public sealed record PresignedHeader
{
    public const string CurrentFormat = "fastload-presigned/1";

    public string Format { get; init; } = CurrentFormat;
    public required ulong ChainId { get; init; }
    public required string TxType { get; init; }
    public required string Seed { get; init; }
    public required int Wallets { get; init; }
    public required string Shard { get; init; }
    public required long Count { get; init; }
    /// <summary>Most a tx can cost (wei, decimal): what replay funds each wallet for.</summary>
    public required string MaxCostPerTx { get; init; }

    public TxType ParsedTxType => TransferWorkload.ParseType(TxType);
}

/// <summary>
/// A file of ready-to-send calls: one JSON header line, then records of
/// [wallet index int32][nonce uint64][tx hash 32 B][call length uint16][call bytes] (little-endian),
/// each call the exact <c>eth_sendRawTransaction</c> object the sender puts in a batch.
/// </summary>
public static class PresignedFile
{
    private const int RecordHead = 4 + 8 + 32 + 2;

    public static void WriteHeader(Stream stream, PresignedHeader header)
    {
        stream.Write(JsonSerializer.SerializeToUtf8Bytes(header, PresignedJson.Default.PresignedHeader));
        stream.WriteByte((byte)'\n');
    }

    public static void WriteRecord(Stream stream, PresignedTx slot)
    {
        Span<byte> head = stackalloc byte[RecordHead];
        BinaryPrimitives.WriteInt32LittleEndian(head, slot.Wallet!.Index);
        BinaryPrimitives.WriteUInt64LittleEndian(head[4..], slot.Nonce);
        slot.TxHash.CopyTo(head[12..]);
        BinaryPrimitives.WriteUInt16LittleEndian(head[44..], checked((ushort)slot.CallLength));
        stream.Write(head);
        stream.Write(slot.Call, 0, slot.CallLength);
    }

    /// <summary>Reads the header line; throws a one-line <see cref="InvalidDataException"/> if it is not a presigned file.</summary>
    public static PresignedHeader ReadHeader(Stream stream)
    {
        var line = new List<byte>();
        int b;
        while ((b = stream.ReadByte()) >= 0 && b != '\n' && line.Count < 64 * 1024) line.Add((byte)b);
        try
        {
            PresignedHeader? header = JsonSerializer.Deserialize(line.ToArray(), PresignedJson.Default.PresignedHeader);
            if (header?.Format == PresignedHeader.CurrentFormat) return header;
        }
        catch (JsonException)
        {
        }
        throw new InvalidDataException("not a FastLoad presigned file (make one with `fastload presign --count N --out FILE`)");
    }

    /// <summary>Reads the next record into <paramref name="slot"/>; false at the end of the file.</summary>
    public static bool TryReadRecord(Stream stream, PresignedTx slot, out int walletIndex)
    {
        Span<byte> head = stackalloc byte[RecordHead];
        walletIndex = -1;
        int read = stream.ReadAtLeast(head, RecordHead, throwOnEndOfStream: false);
        if (read == 0) return false;
        if (read < RecordHead) throw new InvalidDataException("presigned file is truncated");
        walletIndex = BinaryPrimitives.ReadInt32LittleEndian(head);
        slot.Nonce = BinaryPrimitives.ReadUInt64LittleEndian(head[4..]);
        head.Slice(12, 32).CopyTo(slot.TxHash);
        int length = BinaryPrimitives.ReadUInt16LittleEndian(head[44..]);
        slot.EnsureCapacity(length);
        if (stream.ReadAtLeast(slot.Call.AsSpan(0, length), length, throwOnEndOfStream: false) < length)
            throw new InvalidDataException("presigned file is truncated");
        slot.CallLength = length;
        slot.Id = ReadId(slot.Call.AsSpan(0, length));
        return true;
    }

    /// <summary>The call's "id" (written by <see cref="CallWriter"/> right after <c>"id":</c>).</summary>
    private static long ReadId(ReadOnlySpan<byte> call)
    {
        int at = call.IndexOf("\"id\":"u8);
        if (at < 0 || !System.Buffers.Text.Utf8Parser.TryParse(call[(at + 5)..], out long id, out _))
            throw new InvalidDataException("presigned record has no call id");
        return id;
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(PresignedHeader))]
internal sealed partial class PresignedJson : System.Text.Json.Serialization.JsonSerializerContext;
