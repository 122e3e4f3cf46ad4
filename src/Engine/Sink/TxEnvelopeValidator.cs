using System.Runtime.CompilerServices;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Transactions;

namespace FastLoad.Engine.Sink;

/// <summary>What a structural check of a signed envelope found.</summary>
public enum TxEnvelopeCheck : byte
{
    /// <summary>A well-formed legacy, EIP-2930, EIP-1559 or EIP-7702 envelope.</summary>
    Valid = 0,

    /// <summary>No bytes at all.</summary>
    Empty,

    /// <summary>A typed envelope whose type byte is not 1, 2 or 4.</summary>
    UnsupportedType,

    /// <summary>Malformed or non-canonical RLP, a field of the wrong shape, or trailing bytes.</summary>
    Malformed,
}

/// <summary>
/// Checks that bytes are a signed transaction envelope of type 0 (legacy), 1, 2 or 4 without decoding
/// it into objects and without recovering the sender: a strict walk over the RLP structure that
/// allocates nothing and never throws.
/// </summary>
/// <remarks>
/// It accepts exactly what <see cref="TransactionDecoder.Decode"/> accepts (the tests check both on
/// the vectors and on mutations of them): the same canonical-RLP rules as <see cref="Rlp.RlpReader"/>
/// (no header on a single byte below 0x80, no long header for a short payload, no leading zeros in
/// lengths or integers), the field count and shapes of each type (integer widths, 20-byte addresses,
/// 32-byte storage keys), a y-parity of 0 or 1, a legacy <c>v</c> of 27, 28 or ≥ 35, and no bytes after
/// the envelope. It does not check that the signature recovers.
/// </remarks>
public static class TxEnvelopeValidator
{
    public static bool IsWellFormed(ReadOnlySpan<byte> raw) => Check(raw) == TxEnvelopeCheck.Valid;

    public static TxEnvelopeCheck Check(ReadOnlySpan<byte> raw)
    {
        if (raw.IsEmpty) return TxEnvelopeCheck.Empty;
        byte first = raw[0];
        if (first >= Rlp.Rlp.EmptyList) return Result(IsLegacy(raw));
        return (TxType)first switch
        {
            TxType.AccessList => Result(IsTyped(raw[1..], dynamicFee: false, setCode: false)),
            TxType.DynamicFee => Result(IsTyped(raw[1..], dynamicFee: true, setCode: false)),
            TxType.SetCode => Result(IsTyped(raw[1..], dynamicFee: true, setCode: true)),
            _ => TxEnvelopeCheck.UnsupportedType,
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TxEnvelopeCheck Result(bool ok) => ok ? TxEnvelopeCheck.Valid : TxEnvelopeCheck.Malformed;

    // rlp([nonce, gasPrice, gasLimit, to, value, data, v, r, s])
    private static bool IsLegacy(ReadOnlySpan<byte> raw)
    {
        var walk = new RlpWalk(raw);
        if (!walk.List(out int end)) return false;
        if (!walk.Integer(8) || !walk.Integer(32) || !walk.Integer(8)) return false;   // nonce, gasPrice, gasLimit
        if (!walk.String(out int toLength) || (toLength != 0 && toLength != Address.Size)) return false;
        if (!walk.Integer(32) || !walk.String(out _)) return false;                     // value, data
        if (!walk.Integer(32, out ReadOnlySpan<byte> v)) return false;
        // v = 27 or 28 (pre-EIP-155) or chainId * 2 + 35 + yParity; two or more bytes are at least 256.
        if (v.Length == 0 || (v.Length == 1 && v[0] != 27 && v[0] != 28 && v[0] < 35)) return false;
        if (!walk.Integer(32) || !walk.Integer(32)) return false;                       // r, s
        return walk.Position == end && walk.AtEnd;
    }

    // 1: rlp([chainId, nonce, gasPrice,                            gasLimit, to, value, data, accessList, yParity, r, s])
    // 2: rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data, accessList, yParity, r, s])
    // 4: as 2, then authorizationList before yParity; `to` must be an address.
    private static bool IsTyped(ReadOnlySpan<byte> body, bool dynamicFee, bool setCode)
    {
        var walk = new RlpWalk(body);
        if (!walk.List(out int end)) return false;
        if (!walk.Integer(32) || !walk.Integer(8) || !walk.Integer(32)) return false;   // chainId, nonce, (priority) fee
        if (dynamicFee && !walk.Integer(32)) return false;                               // maxFeePerGas
        if (!walk.Integer(8)) return false;                                              // gasLimit
        if (!walk.String(out int toLength)) return false;
        if (toLength != Address.Size && (setCode || toLength != 0)) return false;
        if (!walk.Integer(32) || !walk.String(out _)) return false;                      // value, data
        if (!AccessList(ref walk)) return false;
        if (setCode && !AuthorizationList(ref walk)) return false;
        if (!walk.Integer(1, out ReadOnlySpan<byte> yParity) || (yParity.Length == 1 && yParity[0] != 1)) return false;   // 0 or 1
        if (!walk.Integer(32) || !walk.Integer(32)) return false;                        // r, s
        return walk.Position == end && walk.AtEnd;
    }

    // [[address, [storageKey, ...]], ...]
    private static bool AccessList(ref RlpWalk walk)
    {
        if (!walk.List(out int end)) return false;
        while (walk.Position < end)
        {
            if (!walk.List(out int itemEnd)) return false;
            if (!walk.String(out int addressLength) || addressLength != Address.Size) return false;
            if (!walk.List(out int keysEnd)) return false;
            while (walk.Position < keysEnd)
            {
                if (!walk.String(out int keyLength) || keyLength != Hash256.Size) return false;
            }
            if (walk.Position != keysEnd || walk.Position != itemEnd) return false;
        }
        return walk.Position == end;
    }

    // [[chainId, address, nonce, yParity, r, s], ...]
    private static bool AuthorizationList(ref RlpWalk walk)
    {
        if (!walk.List(out int end)) return false;
        while (walk.Position < end)
        {
            if (!walk.List(out int itemEnd)) return false;
            if (!walk.Integer(32)) return false;
            if (!walk.String(out int addressLength) || addressLength != Address.Size) return false;
            // nonce, yParity (any byte here: the decoder reads it as a byte, recovery judges it), r, s
            if (!walk.Integer(8) || !walk.Integer(1) || !walk.Integer(32) || !walk.Integer(32)) return false;
            if (walk.Position != itemEnd) return false;
        }
        return walk.Position == end;
    }

    /// <summary>
    /// A non-throwing cursor with the rules of <see cref="Rlp.RlpReader"/>: each method returns false
    /// where the reader would throw. Items are bounded by the whole input, as in the reader; the callers
    /// compare positions with list ends.
    /// </summary>
    private ref struct RlpWalk(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;

        public int Position { get; private set; }

        public readonly bool AtEnd => Position == _data.Length;

        public bool List(out int end)
        {
            if (!Header(out bool isList, out int start, out int length) || !isList)
            {
                end = 0;
                return false;
            }
            Position = start;
            end = start + length;
            return true;
        }

        public bool String(out int length)
        {
            if (!Header(out bool isList, out int start, out length) || isList) return false;
            Position = start + length;
            return true;
        }

        /// <summary>A canonical unsigned integer of at most <paramref name="maxBytes"/> bytes.</summary>
        public bool Integer(int maxBytes) => Integer(maxBytes, out _);

        public bool Integer(int maxBytes, out ReadOnlySpan<byte> bytes)
        {
            bytes = default;
            if (!Header(out bool isList, out int start, out int length) || isList) return false;
            if (length > maxBytes || (length > 0 && _data[start] == 0)) return false;
            bytes = _data.Slice(start, length);
            Position = start + length;
            return true;
        }

        private readonly bool Header(out bool isList, out int payloadStart, out int payloadLength)
        {
            isList = false;
            payloadStart = 0;
            payloadLength = 0;
            ReadOnlySpan<byte> data = _data;
            int p = Position;
            if ((uint)p >= (uint)data.Length) return false;
            byte prefix = data[p];
            if (prefix < 0x80)
            {
                payloadStart = p;
                payloadLength = 1;
                return true;
            }
            isList = prefix >= Rlp.Rlp.EmptyList;
            int start, length;
            if (prefix <= 0xb7 || (isList && prefix <= 0xf7))
            {
                length = prefix - (isList ? 0xc0 : 0x80);
                start = p + 1;
                // A single byte below 0x80 must be encoded as itself.
                if (!isList && length == 1 && (start >= data.Length || data[start] < 0x80)) return false;
            }
            else
            {
                int lengthOfLength = prefix - (isList ? 0xf7 : 0xb7);
                if (lengthOfLength > 4 || p + 1 + lengthOfLength > data.Length || data[p + 1] == 0) return false;
                uint longLength = 0;
                for (int i = 0; i < lengthOfLength; i++) longLength = (longLength << 8) | data[p + 1 + i];
                if (longLength < 56 || longLength > int.MaxValue) return false;
                length = (int)longLength;
                start = p + 1 + lengthOfLength;
            }
            if ((long)start + length > data.Length) return false;
            payloadStart = start;
            payloadLength = length;
            return true;
        }
    }
}
