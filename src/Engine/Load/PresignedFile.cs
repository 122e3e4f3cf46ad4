using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Transactions;

namespace FastLoad.Engine.Load;

/// <summary>The first line of a presigned file: what the txs were signed for.</summary>
public sealed record PresignedHeader
{
    public const string CurrentFormat = "fastload-presigned/2";

    public string Format { get; init; } = CurrentFormat;
    public required ulong ChainId { get; init; }
    public required string TxType { get; init; }
    public required string Seed { get; init; }
    /// <summary>The funder's address (never its key): the wallets derive from its key and the seed, so replay needs the same one.</summary>
    public required string Funder { get; init; }
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

    /// <summary>
    /// Checks, before anything is sent, that <paramref name="path"/> is a presigned file of this version made for
    /// <paramref name="funder"/>; a one-line <see cref="RunSetupException"/> naming the file and the fix if not.
    /// </summary>
    public static PresignedHeader Verify(string path, Address funder)
    {
        PresignedHeader header;
        try
        {
            using FileStream stream = File.OpenRead(path);
            header = ReadHeader(stream);
        }
        catch (InvalidDataException e)
        {
            throw new RunSetupException($"{path}: {e.Message}");
        }
        if (!Address.TryParse(header.Funder, out Address signedFor) || signedFor != funder)
            throw new RunSetupException($"{path} was presigned for funder {header.Funder} but the funder given is {funder}: give that funder's key (FASTLOAD_FUNDER_KEY or --funder-key-file), or presign again with this one");
        return header;
    }

    /// <summary>Reads the header line; throws a one-line <see cref="InvalidDataException"/> if it is not a presigned file of this version.</summary>
    public static PresignedHeader ReadHeader(Stream stream)
    {
        var line = new List<byte>();
        int b;
        while ((b = stream.ReadByte()) >= 0 && b != '\n' && line.Count < 64 * 1024) line.Add((byte)b);
        string? format = null;
        try
        {
            using JsonDocument json = JsonDocument.Parse(line.ToArray());
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("format", out JsonElement f) && f.ValueKind == JsonValueKind.String)
                format = f.GetString();
            if (format == PresignedHeader.CurrentFormat && JsonSerializer.Deserialize(json.RootElement, PresignedJson.Default.PresignedHeader) is { } header) return header;
        }
        catch (JsonException)
        {
        }
        if (format is not null && format != PresignedHeader.CurrentFormat && format.StartsWith("fastload-presigned/", StringComparison.Ordinal))
            throw new InvalidDataException($"made by another FastLoad version (format {format}, this one reads {PresignedHeader.CurrentFormat}): re-run `fastload presign` to make it again");
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
