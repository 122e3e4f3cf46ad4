using System.Numerics;
using BenchmarkDotNet.Attributes;
using FastLoad.Engine.Crypto;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rlp;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Transactions;
using Nethereum.Signer;
using Nethereum.Util;
using NModel = Nethereum.Model;

namespace FastLoad.Benchmarks.Signing;

/// <summary>
/// Why the engine keeps its own transaction code instead of Nethereum.Signer's: the same EIP-1559 transfer signed
/// into the hex that goes on the wire, its unsigned RLP body, and a 32-byte Keccak-256, each done by FastLoad and by
/// Nethereum 6.1.0 (its default signer: BouncyCastle's secp256k1 with RFC 6979 nonces). Both sign deterministically,
/// so the set-up checks that the two produce the same raw transaction before anything is timed.
/// Not in the hot-path category: Nethereum's side allocates by design, and the allocation gate is for FastLoad's code.
/// </summary>
[MemoryDiagnoser]
public class NethereumComparisonBenchmarks
{
    private readonly byte[] _envelope = new byte[512];
    private readonly byte[] _txHash = new byte[32];
    private readonly byte[] _hex = new byte[1100];
    private readonly byte[] _rlp = new byte[512];
    private readonly byte[] _digest = new byte[32];
    private readonly byte[] _keccakInput = new byte[32];
    private readonly Transaction1559Signer _nethereumSigner = new();
    private readonly Sha3Keccack _nethereumKeccak = new();
    private byte[] _privateKey = [];
    private EthECKey _nethereumKey = null!;
    private DynamicFeeTransaction _tx;

    [GlobalSetup]
    public void Setup()
    {
        _privateKey = Fixtures.Key.Bytes.ToArray();
        _nethereumKey = new EthECKey(_privateKey, true);
        _tx = Fixtures.DynamicFee(7);
        new Random(3).NextBytes(_keccakInput);

        int hexLength = FastLoadSignedHex();
        string ours = System.Text.Encoding.ASCII.GetString(_hex, 0, hexLength);
        foreach (string theirs in new[] { NethereumSignedHex(), NethereumSignedHexKeyReused() })
        {
            if (!string.Equals(ours, theirs, StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"FastLoad and Nethereum signed different bytes:\n{ours}\n{theirs}");
        }
    }

    private NModel.Transaction1559 NethereumTx() => new(
        _tx.ChainId.ToBigInteger(), _tx.Nonce, _tx.MaxPriorityFeePerGas.ToBigInteger(), _tx.MaxFeePerGas.ToBigInteger(),
        _tx.GasLimit, Fixtures.Recipient.ToString(), _tx.Value.ToBigInteger(), "", new List<NModel.AccessListItem>());

    /// <summary>What the engine does per tx: encode, signing hash, sign, envelope, tx hash, 0x-hex.</summary>
    [Benchmark(Baseline = true)]
    public int FastLoadSignedHex()
    {
        int length = TransactionSigner.Sign(_tx, Fixtures.Key, _envelope, _txHash);
        return Hex.WritePrefixedUtf8(_envelope.AsSpan(0, length), _hex);
    }

    /// <summary>The same with Nethereum: build its transaction object, sign it, take the signed hex.</summary>
    [Benchmark]
    public string NethereumSignedHex() => "0x" + _nethereumSigner.SignTransaction(_privateKey, NethereumTx());

    /// <summary>The same with the key object made once (Nethereum's cheapest call for a wallet that signs many txs).</summary>
    [Benchmark]
    public string NethereumSignedHexKeyReused() => "0x" + _nethereumSigner.SignTransaction(_nethereumKey, NethereumTx());

    [Benchmark]
    public int FastLoadRlpBody()
    {
        var writer = new SpanRlpWriter(_rlp);
        _tx.EncodeRlp(ref writer);
        return writer.Position;
    }

    [Benchmark]
    public int NethereumRlpBody() => NethereumTx().GetRLPEncodedRaw().Length;

    [Benchmark]
    public byte FastLoadKeccak32()
    {
        Keccak256.Hash(_keccakInput, _digest);
        return _digest[0];
    }

    [Benchmark]
    public byte NethereumKeccak32() => _nethereumKeccak.CalculateHash(_keccakInput)[0];
}
