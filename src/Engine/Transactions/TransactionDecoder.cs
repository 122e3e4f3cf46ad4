using System.Numerics;
using FastLoad.Engine.Crypto;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rlp;
using FastLoad.Engine.Signing;

namespace FastLoad.Engine.Transactions;

/// <summary>A signed transaction read back from its envelope bytes (cold path: tests, verification).</summary>
public sealed class DecodedTransaction
{
    public required TxType Type { get; init; }

    /// <summary>The body: one of the transaction structs, boxed.</summary>
    public required ISignableTransaction Body { get; init; }

    public required Signature Signature { get; init; }

    public required Hash256 Hash { get; init; }

    /// <summary>Recovers the sender; false for an invalid or malleable (high-s) signature.</summary>
    public bool TryRecoverSender(out Address sender)
    {
        sender = default;
        if (!Signature.IsLowS) return false;
        Bytes32 hash = default;
        Body.WriteSigningHash(hash);
        return Signature.TryRecoverAddress(hash, out sender);
    }
}

/// <summary>Decodes signed envelopes of types 0, 1, 2 and 4, strictly.</summary>
public static class TransactionDecoder
{
    public static DecodedTransaction Decode(ReadOnlySpan<byte> raw)
    {
        if (raw.IsEmpty) throw new RlpException("empty transaction");
        Bytes32 hashBytes = default;
        Keccak256.Hash(raw, hashBytes);
        var hash = new Hash256(hashBytes);
        byte first = raw[0];
        if (first >= Rlp.Rlp.EmptyList) return DecodeLegacy(raw, hash);
        var reader = new RlpReader(raw[1..]);
        int end = reader.ReadListHeader();
        ISignableTransaction body = (TxType)first switch
        {
            TxType.AccessList => ReadAccessListTx(ref reader),
            TxType.DynamicFee => ReadDynamicFeeTx(ref reader),
            TxType.SetCode => ReadSetCodeTx(ref reader),
            _ => throw new RlpException($"unsupported transaction type 0x{first:x2}"),
        };
        byte yParity = reader.ReadByteValue();
        if (yParity > 1) throw new RlpException("y-parity must be 0 or 1");
        var signature = new Signature(yParity, reader.ReadUInt256(), reader.ReadUInt256());
        reader.ExpectEnd(end);
        reader.ExpectEndOfInput();
        return new DecodedTransaction { Type = (TxType)first, Body = body, Signature = signature, Hash = hash };
    }

    private static DecodedTransaction DecodeLegacy(ReadOnlySpan<byte> raw, Hash256 hash)
    {
        var reader = new RlpReader(raw);
        int end = reader.ReadListHeader();
        var tx = new LegacyTransaction
        {
            Nonce = reader.ReadULong(),
            GasPrice = reader.ReadUInt256(),
            GasLimit = reader.ReadULong(),
            To = reader.ReadOptionalAddress(),
            Value = reader.ReadUInt256(),
            Data = reader.ReadString().ToArray(),
        };
        BigInteger v = reader.ReadUInt256().ToBigInteger();
        UInt256 r = reader.ReadUInt256();
        UInt256 s = reader.ReadUInt256();
        reader.ExpectEnd(end);
        reader.ExpectEndOfInput();
        byte yParity;
        if (v == 27 || v == 28)
        {
            yParity = (byte)(v - 27);
        }
        else if (v >= 35)
        {
            yParity = (byte)((v - 35) % 2);
            tx.ChainId = UInt256.FromBigInteger((v - 35) / 2);
        }
        else
        {
            throw new RlpException($"invalid legacy v {v}");
        }
        return new DecodedTransaction { Type = TxType.Legacy, Body = tx, Signature = new Signature(yParity, r, s), Hash = hash };
    }

    private static AccessListTransaction ReadAccessListTx(ref RlpReader reader) => new()
    {
        ChainId = reader.ReadUInt256(),
        Nonce = reader.ReadULong(),
        GasPrice = reader.ReadUInt256(),
        GasLimit = reader.ReadULong(),
        To = reader.ReadOptionalAddress(),
        Value = reader.ReadUInt256(),
        Data = reader.ReadString().ToArray(),
        AccessList = ReadAccessList(ref reader),
    };

    private static DynamicFeeTransaction ReadDynamicFeeTx(ref RlpReader reader) => new()
    {
        ChainId = reader.ReadUInt256(),
        Nonce = reader.ReadULong(),
        MaxPriorityFeePerGas = reader.ReadUInt256(),
        MaxFeePerGas = reader.ReadUInt256(),
        GasLimit = reader.ReadULong(),
        To = reader.ReadOptionalAddress(),
        Value = reader.ReadUInt256(),
        Data = reader.ReadString().ToArray(),
        AccessList = ReadAccessList(ref reader),
    };

    private static SetCodeTransaction ReadSetCodeTx(ref RlpReader reader) => new()
    {
        ChainId = reader.ReadUInt256(),
        Nonce = reader.ReadULong(),
        MaxPriorityFeePerGas = reader.ReadUInt256(),
        MaxFeePerGas = reader.ReadUInt256(),
        GasLimit = reader.ReadULong(),
        To = reader.ReadAddress(),
        Value = reader.ReadUInt256(),
        Data = reader.ReadString().ToArray(),
        AccessList = ReadAccessList(ref reader),
        AuthorizationList = ReadAuthorizations(ref reader),
    };

    private static AccessListItem[] ReadAccessList(ref RlpReader reader)
    {
        var items = new List<AccessListItem>();
        int end = reader.ReadListHeader();
        while (reader.Position < end)
        {
            int itemEnd = reader.ReadListHeader();
            Address address = reader.ReadAddress();
            var keys = new List<Hash256>();
            int keysEnd = reader.ReadListHeader();
            while (reader.Position < keysEnd) keys.Add(reader.ReadHash256());
            reader.ExpectEnd(keysEnd);
            reader.ExpectEnd(itemEnd);
            items.Add(new AccessListItem(address, keys.ToArray()));
        }
        reader.ExpectEnd(end);
        return items.ToArray();
    }

    private static SignedAuthorization[] ReadAuthorizations(ref RlpReader reader)
    {
        var items = new List<SignedAuthorization>();
        int end = reader.ReadListHeader();
        while (reader.Position < end)
        {
            int itemEnd = reader.ReadListHeader();
            items.Add(new SignedAuthorization
            {
                ChainId = reader.ReadUInt256(),
                Address = reader.ReadAddress(),
                Nonce = reader.ReadULong(),
                YParity = reader.ReadByteValue(),
                R = reader.ReadUInt256(),
                S = reader.ReadUInt256(),
            });
            reader.ExpectEnd(itemEnd);
        }
        reader.ExpectEnd(end);
        return items.ToArray();
    }
}
