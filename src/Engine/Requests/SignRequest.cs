using System.Buffers;
using System.Text;
using System.Text.Json;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Transactions;

namespace FastLoad.Engine.Requests;

/// <summary>A request line that can't be signed; <see cref="Field"/> names the culprit.</summary>
public sealed class SignRequestException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// One transaction request as <c>fastload sign</c> reads it: the fields of
/// <c>shared/vectors/signed-transactions.jsonl</c> and <c>signed-7702.jsonl</c>.
/// Numbers are decimal strings (0x-hex strings and JSON numbers are accepted too).
/// An instance is reused line after line by one worker.
/// </summary>
public sealed class SignRequest
{
    public TxType? Type;
    public PrivateKey Key;
    public bool HasKey;
    public UInt256? ChainId;
    public ulong? Nonce;
    public ulong? GasLimit;
    public UInt256 Value;
    public UInt256? GasPrice;
    public UInt256? MaxFeePerGas;
    public UInt256? MaxPriorityFeePerGas;
    public Address? To;
    public byte[] DataBuffer = new byte[1024];
    public int DataLength;
    public AccessListItem[]? AccessList;
    public readonly List<(Authorization Authorization, PrivateKey Signer)> Authorizations = [];
    public bool HasAuthorizationList;
    /// <summary>The request's "id" value as raw JSON, echoed in the output; empty if none.</summary>
    public readonly ArrayBufferWriter<byte> Id = new(32);

    private readonly Dictionary<Hash256, PrivateKey> _keyCache = new();

    public ReadOnlyMemory<byte> Data => DataBuffer.AsMemory(0, DataLength);

    private void Reset()
    {
        Type = null;
        HasKey = false;
        ChainId = null;
        Nonce = null;
        GasLimit = null;
        Value = default;
        GasPrice = null;
        MaxFeePerGas = null;
        MaxPriorityFeePerGas = null;
        To = null;
        DataLength = 0;
        AccessList = null;
        Authorizations.Clear();
        HasAuthorizationList = false;
        Id.ResetWrittenCount();
    }

    /// <summary>Parses one JSON line; throws <see cref="SignRequestException"/> naming the bad field.</summary>
    public void Parse(ReadOnlySpan<byte> line)
    {
        Reset();
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new SignRequestException("line", "a request must be one JSON object per line");
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                string name = reader.GetString() ?? "";
                reader.Read();
                ParseField(name, ref reader);
            }
        }
        catch (JsonException e)
        {
            throw new SignRequestException("line", "invalid JSON: " + FirstSentence(e.Message));
        }
        Validate();
    }

    private static string FirstSentence(string message)
    {
        int dot = message.IndexOf(". ", StringComparison.Ordinal);
        return dot > 0 ? message[..dot] : message;
    }

    private void ParseField(string name, ref Utf8JsonReader reader)
    {
        switch (name)
        {
            case "type": Type = ParseType(ref reader); break;
            case "privateKey": Key = ParseKey(ref reader, "privateKey"); HasKey = true; break;
            case "chainId": ChainId = ReadUInt256(ref reader, name); break;
            case "nonce": Nonce = ReadULong(ref reader, name); break;
            case "gasLimit": GasLimit = ReadULong(ref reader, name); break;
            case "value": Value = reader.TokenType == JsonTokenType.Null ? default : ReadUInt256(ref reader, name); break;
            case "gasPrice": GasPrice = reader.TokenType == JsonTokenType.Null ? null : ReadUInt256(ref reader, name); break;
            case "maxFeePerGas": MaxFeePerGas = reader.TokenType == JsonTokenType.Null ? null : ReadUInt256(ref reader, name); break;
            case "maxPriorityFeePerGas": MaxPriorityFeePerGas = reader.TokenType == JsonTokenType.Null ? null : ReadUInt256(ref reader, name); break;
            case "to": To = reader.TokenType == JsonTokenType.Null ? null : ReadAddress(ref reader, name); break;
            case "data": case "input": ReadData(ref reader, name); break;
            case "accessList": AccessList = ReadAccessList(ref reader); break;
            case "authorizationList": ReadAuthorizationList(ref reader); break;
            case "id": ReadId(ref reader); break;
            default: reader.Skip(); break;
        }
    }

    private void ReadId(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            throw new SignRequestException("id", "must be a string or a number");
        if (reader.TokenType != JsonTokenType.String)
        {
            Id.Write(reader.ValueSpan);
            return;
        }
        using var writer = new Utf8JsonWriter(Id);
        writer.WriteStringValue(reader.GetString());
    }

    private static TxType ParseType(ref Utf8JsonReader reader)
    {
        string text = reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString()!,
            JsonTokenType.Number => reader.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new SignRequestException("type", "must be a string such as \"eip1559\""),
        };
        return text.ToLowerInvariant() switch
        {
            "legacy" or "0" or "0x0" or "0x00" => TxType.Legacy,
            "eip2930" or "2930" or "1" or "0x1" or "0x01" or "accesslist" => TxType.AccessList,
            "eip1559" or "1559" or "2" or "0x2" or "0x02" or "dynamicfee" => TxType.DynamicFee,
            "eip7702" or "7702" or "4" or "0x4" or "0x04" or "setcode" => TxType.SetCode,
            _ => throw new SignRequestException("type", $"unknown type '{text}': use legacy, eip2930, eip1559 or eip7702"),
        };
    }

    private PrivateKey ParseKey(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.String) throw new SignRequestException(field, "must be a 0x-hex string of 32 bytes");
        Bytes32 raw = default;
        Span<char> chars = stackalloc char[66];
        int length = reader.CopyString(chars.Length >= reader.ValueSpan.Length ? chars : new char[reader.ValueSpan.Length]);
        if (!Hex.TryDecodeExact(chars[..Math.Min(length, chars.Length)], raw) || length > 66)
            throw new SignRequestException(field, "must be a 0x-hex string of 32 bytes");
        var cacheKey = new Hash256(raw);
        if (_keyCache.TryGetValue(cacheKey, out PrivateKey cached)) return cached;
        if (!PrivateKey.TryCreate(raw, out PrivateKey key)) throw new SignRequestException(field, "is not a valid secp256k1 private key (zero or not below the curve order)");
        if (_keyCache.Count >= 4096) _keyCache.Clear();
        _keyCache[cacheKey] = key;
        return key;
    }

    private static UInt256 ReadUInt256(ref Utf8JsonReader reader, string field)
    {
        ReadOnlySpan<byte> utf8 = reader.TokenType is JsonTokenType.String or JsonTokenType.Number
            ? reader.ValueSpan
            : throw new SignRequestException(field, "must be a decimal string");
        Span<char> chars = stackalloc char[80];
        if (utf8.Length > chars.Length || reader.ValueIsEscaped) throw new SignRequestException(field, "must be a decimal string of an unsigned 256-bit integer");
        for (int i = 0; i < utf8.Length; i++) chars[i] = (char)utf8[i];
        if (!UInt256.TryParse(chars[..utf8.Length], out UInt256 value))
            throw new SignRequestException(field, $"'{Encoding.UTF8.GetString(utf8)}' is not an unsigned 256-bit integer");
        return value;
    }

    private static ulong ReadULong(ref Utf8JsonReader reader, string field)
    {
        UInt256 value = ReadUInt256(ref reader, field);
        if (!value.IsUInt64) throw new SignRequestException(field, "exceeds 2^64-1");
        return value.U0;
    }

    private static Address ReadAddress(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.String || !Address.TryParse(reader.GetString(), out Address address))
            throw new SignRequestException(field, "must be a 0x-hex address of 20 bytes");
        return address;
    }

    private void ReadData(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType == JsonTokenType.Null) { DataLength = 0; return; }
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped) throw new SignRequestException(field, "must be a 0x-hex string");
        ReadOnlySpan<byte> hex = reader.ValueSpan;
        int needed = hex.Length / 2;
        if (DataBuffer.Length < needed) DataBuffer = new byte[Math.Max(needed, DataBuffer.Length * 2)];
        int written = Hex.TryDecodeUtf8(hex, DataBuffer);
        if (written < 0) throw new SignRequestException(field, "must be 0x-hex with an even number of digits");
        DataLength = written;
    }

    private static AccessListItem[]? ReadAccessList(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartArray) throw new SignRequestException("accessList", "must be an array of {address, storageKeys}");
        var items = new List<AccessListItem>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject) throw new SignRequestException("accessList", "entries must be objects {address, storageKeys}");
            Address? address = null;
            var keys = new List<Hash256>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                string name = reader.GetString() ?? "";
                reader.Read();
                if (name == "address") address = ReadAddress(ref reader, "accessList.address");
                else if (name == "storageKeys")
                {
                    if (reader.TokenType != JsonTokenType.StartArray) throw new SignRequestException("accessList.storageKeys", "must be an array of 32-byte hex strings");
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType != JsonTokenType.String || !Hash256.TryParse(reader.GetString(), out Hash256 key))
                            throw new SignRequestException("accessList.storageKeys", "must be an array of 32-byte hex strings");
                        keys.Add(key);
                    }
                }
                else reader.Skip();
            }
            if (address is null) throw new SignRequestException("accessList.address", "is missing");
            items.Add(new AccessListItem(address.Value, keys.ToArray()));
        }
        return items.ToArray();
    }

    private void ReadAuthorizationList(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null) return;
        if (reader.TokenType != JsonTokenType.StartArray) throw new SignRequestException("authorizationList", "must be an array of {chainId, address, nonce, signerKey}");
        HasAuthorizationList = true;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject) throw new SignRequestException("authorizationList", "entries must be objects {chainId, address, nonce, signerKey}");
            UInt256? chainId = null;
            Address? address = null;
            ulong? nonce = null;
            PrivateKey? signer = null;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                string name = reader.GetString() ?? "";
                reader.Read();
                switch (name)
                {
                    case "chainId": chainId = ReadUInt256(ref reader, "authorizationList.chainId"); break;
                    case "address": address = ReadAddress(ref reader, "authorizationList.address"); break;
                    case "nonce": nonce = ReadULong(ref reader, "authorizationList.nonce"); break;
                    case "signerKey": signer = ParseKey(ref reader, "authorizationList.signerKey"); break;
                    default: reader.Skip(); break;
                }
            }
            var authorization = new Authorization
            {
                ChainId = chainId ?? throw new SignRequestException("authorizationList.chainId", "is missing"),
                Address = address ?? throw new SignRequestException("authorizationList.address", "is missing"),
                Nonce = nonce ?? throw new SignRequestException("authorizationList.nonce", "is missing"),
            };
            Authorizations.Add((authorization, signer ?? throw new SignRequestException("authorizationList.signerKey", "is missing")));
        }
    }

    private void Validate()
    {
        if (!HasKey) throw new SignRequestException("privateKey", "is missing");
        if (ChainId is null) throw new SignRequestException("chainId", "is missing");
        if (Nonce is null) throw new SignRequestException("nonce", "is missing");
        if (GasLimit is null) throw new SignRequestException("gasLimit", "is missing");
        Type ??= HasAuthorizationList ? TxType.SetCode
            : MaxFeePerGas is not null ? TxType.DynamicFee
            : AccessList is not null ? TxType.AccessList
            : TxType.Legacy;
        switch (Type)
        {
            case TxType.Legacy or TxType.AccessList:
                if (GasPrice is null) throw new SignRequestException("gasPrice", $"is missing (required for {TypeName(Type.Value)})");
                break;
            default:
                if (MaxFeePerGas is null) throw new SignRequestException("maxFeePerGas", $"is missing (required for {TypeName(Type.Value)})");
                if (MaxPriorityFeePerGas is null) throw new SignRequestException("maxPriorityFeePerGas", $"is missing (required for {TypeName(Type.Value)})");
                break;
        }
        if (Type == TxType.SetCode)
        {
            if (To is null) throw new SignRequestException("to", "is required for eip7702 (it cannot create a contract)");
            if (Authorizations.Count == 0) throw new SignRequestException("authorizationList", "must hold at least one authorization for eip7702");
        }
    }

    public static string TypeName(TxType type) => type switch
    {
        TxType.Legacy => "legacy",
        TxType.AccessList => "eip2930",
        TxType.DynamicFee => "eip1559",
        TxType.SetCode => "eip7702",
        _ => type.ToString(),
    };
}
