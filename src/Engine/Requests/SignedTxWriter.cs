using System.Buffers;
using System.Text.Json;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rlp;
using FastLoad.Engine.Transactions;

namespace FastLoad.Engine.Requests;

/// <summary>
/// Signs a parsed <see cref="SignRequest"/> and writes its output JSON line:
/// <c>{"raw":"0x…","hash":"0x…","sender":"0x…"}</c> (+ <c>"signedAuthorizations"</c> for type 4),
/// or <c>{"line":N,"field":"…","error":"…"}</c>. One instance per worker; buffers are reused.
/// </summary>
public sealed class SignedTxWriter
{
    private byte[] _envelope = new byte[4096];
    private readonly List<SignedAuthorization> _authorizations = [];
    private readonly byte[] _hash = new byte[32];

    /// <summary>When set, each signed tx is decoded again and its recovered sender checked.</summary>
    public bool Verify { get; init; }

    public void Sign(SignRequest request, IBufferWriter<byte> output)
    {
        int length = request.Type switch
        {
            TxType.Legacy => SignBody(new LegacyTransaction
            {
                ChainId = request.ChainId!.Value, Nonce = request.Nonce!.Value, GasPrice = request.GasPrice!.Value,
                GasLimit = request.GasLimit!.Value, To = request.To, Value = request.Value, Data = request.Data,
            }, request),
            TxType.AccessList => SignBody(new AccessListTransaction
            {
                ChainId = request.ChainId!.Value, Nonce = request.Nonce!.Value, GasPrice = request.GasPrice!.Value,
                GasLimit = request.GasLimit!.Value, To = request.To, Value = request.Value, Data = request.Data,
                AccessList = request.AccessList ?? [],
            }, request),
            TxType.DynamicFee => SignBody(new DynamicFeeTransaction
            {
                ChainId = request.ChainId!.Value, Nonce = request.Nonce!.Value,
                MaxPriorityFeePerGas = request.MaxPriorityFeePerGas!.Value, MaxFeePerGas = request.MaxFeePerGas!.Value,
                GasLimit = request.GasLimit!.Value, To = request.To, Value = request.Value, Data = request.Data,
                AccessList = request.AccessList ?? [],
            }, request),
            TxType.SetCode => SignBody(new SetCodeTransaction
            {
                ChainId = request.ChainId!.Value, Nonce = request.Nonce!.Value,
                MaxPriorityFeePerGas = request.MaxPriorityFeePerGas!.Value, MaxFeePerGas = request.MaxFeePerGas!.Value,
                GasLimit = request.GasLimit!.Value, To = request.To!.Value, Value = request.Value, Data = request.Data,
                AccessList = request.AccessList ?? [], AuthorizationList = SignAuthorizations(request),
            }, request),
            _ => throw new SignRequestException("type", "unsupported"),
        };
        if (Verify) VerifyEnvelope(length, request);
        WriteSuccess(length, request, output);
    }

    private SignedAuthorization[] SignAuthorizations(SignRequest request)
    {
        _authorizations.Clear();
        foreach ((Authorization authorization, Signing.PrivateKey signer) in request.Authorizations)
            _authorizations.Add(authorization.Sign(signer));
        return _authorizations.ToArray();
    }

    private int SignBody<TTx>(in TTx tx, SignRequest request) where TTx : struct, ISignableTransaction
    {
        int max = TransactionSigner.MaxSignedLength(tx);
        if (_envelope.Length < max) _envelope = new byte[Math.Max(max, _envelope.Length * 2)];
        return TransactionSigner.Sign(tx, request.Key, _envelope, _hash);
    }

    private void VerifyEnvelope(int length, SignRequest request)
    {
        DecodedTransaction decoded;
        try
        {
            decoded = TransactionDecoder.Decode(_envelope.AsSpan(0, length));
        }
        catch (RlpException e)
        {
            throw new SignRequestException("verify", "signed envelope does not decode: " + e.Message);
        }
        if (!decoded.TryRecoverSender(out Address sender) || sender != request.Key.Address)
            throw new SignRequestException("verify", "recovered sender does not match the private key's address");
        if (!decoded.Hash.Bytes.SequenceEqual(_hash))
            throw new SignRequestException("verify", "tx hash does not match the envelope");
    }

    private void WriteSuccess(int length, SignRequest request, IBufferWriter<byte> output)
    {
        int authCount = request.Type == TxType.SetCode ? _authorizations.Count : 0;
        int max = 160 + request.Id.WrittenCount + Hex.PrefixedLength(length) + authCount * 300;
        Span<byte> span = output.GetSpan(max);
        int p = 0;
        p += Put(span, "{"u8);
        if (request.Id.WrittenCount > 0)
        {
            p += Put(span[p..], "\"id\":"u8);
            p += Put(span[p..], request.Id.WrittenSpan);
            p += Put(span[p..], ","u8);
        }
        p += Put(span[p..], "\"raw\":\""u8);
        p += Hex.WritePrefixedUtf8(_envelope.AsSpan(0, length), span[p..]);
        p += Put(span[p..], "\",\"hash\":\""u8);
        p += Hex.WritePrefixedUtf8(_hash, span[p..]);
        p += Put(span[p..], "\",\"sender\":\""u8);
        Checksum.WriteUtf8(request.Key.Address, span[p..]);
        p += Checksum.AddressLength;
        p += Put(span[p..], "\""u8);
        if (authCount > 0)
        {
            p += Put(span[p..], ",\"signedAuthorizations\":["u8);
            Span<byte> rlp = stackalloc byte[160];
            for (int i = 0; i < authCount; i++)
            {
                SignedAuthorization auth = _authorizations[i];
                var writer = new SpanRlpWriter(rlp);
                auth.EncodeRlp(ref writer);
                if (i > 0) p += Put(span[p..], ","u8);
                p += Put(span[p..], "\""u8);
                p += Hex.WritePrefixedUtf8(writer.Written, span[p..]);
                p += Put(span[p..], "\""u8);
            }
            p += Put(span[p..], "]"u8);
        }
        p += Put(span[p..], "}\n"u8);
        output.Advance(p);
    }

    /// <summary>Writes an error line for request number <paramref name="lineNumber"/> (1-based).</summary>
    public static void WriteError(long lineNumber, string field, string message, IBufferWriter<byte> output)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteNumber("line", lineNumber);
        json.WriteString("field", field);
        json.WriteString("error", $"{field}: {message}");
        json.WriteEndObject();
        json.Flush();
        output.Write("\n"u8);
    }

    private static int Put(Span<byte> destination, ReadOnlySpan<byte> text)
    {
        text.CopyTo(destination);
        return text.Length;
    }
}
