using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using FastLoad.Engine.Crypto;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Transactions;
using FastLoad.Engine.Workloads;

namespace FastLoad.Engine.Load;

/// <summary>The first line of a presigned file: what the txs were signed for.</summary>
public sealed record PresignedHeader
{
    public const string CurrentFormat = "fastload-presigned/3";

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
/// A file of ready-to-send calls, format <c>fastload-presigned/3</c> (all integers little-endian):
/// <code>
/// header  = JSON line (<see cref="PresignedHeader"/>) '\n' crc32c(JSON line) u32
/// block*  = records u32, payload length u32, payload, crc32c(records ‖ payload length ‖ payload) u32
/// payload = record*, record = wallet index i32, nonce u64, tx hash 32 B, call length u16, call
/// </code>
/// Each call is the exact <c>eth_sendRawTransaction</c> object the sender puts in a batch. A block holds up to
/// <see cref="BlockRecords"/> records (fewer once its payload passes <see cref="BlockTargetBytes"/>); the blocks
/// together hold exactly the header's count, and the file ends after the last one. CRC-32C (<see cref="Crc32C"/>)
/// catches damaged bytes, the count and the clean end catch truncation, so <see cref="Verify"/> can refuse a bad
/// file before anything is funded or sent.
/// </summary>
public static class PresignedFile
{
    internal const int RecordHead = 4 + 8 + 32 + 2;
    internal const int BlockHead = 4 + 4;
    public const int BlockRecords = 4096;
    public const int BlockTargetBytes = 1 << 20;
    /// <summary>Largest payload a reader accepts: a bigger length field is damage, not a block to allocate for.</summary>
    internal const int MaxBlockBytes = BlockTargetBytes + RecordHead + ushort.MaxValue;

    public static void WriteHeader(Stream stream, PresignedHeader header)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header, PresignedJson.Default.PresignedHeader);
        stream.Write(json);
        stream.WriteByte((byte)'\n');
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(crc, Crc32C.Compute(json));
        stream.Write(crc);
    }

    /// <summary>
    /// Checks, before anything is funded or sent, that <paramref name="path"/> is a whole, undamaged presigned file of
    /// this version made for <paramref name="funder"/>: reads it through once (streaming), checking the header's and
    /// every block's checksum and the record count. A one-line <see cref="RunSetupException"/> naming the file, the
    /// block and byte offset, and the fix if not.
    /// </summary>
    public static PresignedHeader Verify(string path, Address funder)
    {
        try
        {
            using PresignedFileReader reader = PresignedFileReader.Open(path);
            PresignedHeader header = reader.Header;
            if (!Address.TryParse(header.Funder, out Address signedFor) || signedFor != funder)
                throw new RunSetupException($"{path} was presigned for funder {header.Funder} but the funder given is {funder}: give that funder's key (FASTLOAD_FUNDER_KEY or --funder-key-file), or presign again with this one");
            reader.VerifyToEnd();
            return header;
        }
        catch (InvalidDataException e)
        {
            throw new RunSetupException($"{path}: {e.Message}");
        }
    }

    /// <summary>Reads the header line and its checksum; throws a one-line <see cref="InvalidDataException"/> if it is not a presigned file of this version.</summary>
    public static PresignedHeader ReadHeader(Stream stream) => ReadHeader(stream, out _);

    /// <param name="length">Bytes the header takes, checksum included.</param>
    internal static PresignedHeader ReadHeader(Stream stream, out long length)
    {
        var line = new List<byte>();
        int b;
        while ((b = stream.ReadByte()) >= 0 && b != '\n' && line.Count < 64 * 1024) line.Add((byte)b);
        byte[] json = line.ToArray();
        Span<byte> stored = stackalloc byte[4];
        bool whole = b == '\n' && stream.ReadAtLeast(stored, 4, throwOnEndOfStream: false) == 4;
        length = json.Length + 1 + 4;
        string? format = null;
        JsonDocument? document = null;
        try
        {
            document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("format", out JsonElement f) && f.ValueKind == JsonValueKind.String)
                format = f.GetString();
        }
        catch (JsonException)
        {
        }
        using (document)
        {
            bool sound = whole && Crc32C.Compute(json) == BinaryPrimitives.ReadUInt32LittleEndian(stored);
            // Older files have no header checksum, so their version is read from the format alone.
            if (format is not null && format != PresignedHeader.CurrentFormat && format.StartsWith("fastload-presigned/", StringComparison.Ordinal)
                && format.Length > 19 && format.AsSpan(19).IndexOfAnyExceptInRange('0', '9') < 0)
                throw new InvalidDataException($"made by another FastLoad version (format {format}, this one reads {PresignedHeader.CurrentFormat}): re-run `fastload presign` to make it again");
            if (!sound && json.Length > 0 && json[0] == (byte)'{' && json.AsSpan().IndexOf("fastload-presigned"u8) >= 0)
                throw new InvalidDataException(whole ? "its header fails its checksum: the file is damaged; presign it again" : "is truncated inside its header; presign it again");
            if (sound && format == PresignedHeader.CurrentFormat && document is not null)
            {
                try
                {
                    if (JsonSerializer.Deserialize(document.RootElement, PresignedJson.Default.PresignedHeader) is { } header) return header;
                }
                catch (JsonException)
                {
                }
            }
        }
        throw new InvalidDataException("not a FastLoad presigned file (make one with `fastload presign --count N --out FILE`)");
    }

    /// <summary>The call's "id" (written by <see cref="CallWriter"/> right after <c>"id":</c>).</summary>
    internal static long ReadId(ReadOnlySpan<byte> call)
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
