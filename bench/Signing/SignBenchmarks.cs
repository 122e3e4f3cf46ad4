using BenchmarkDotNet.Attributes;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Transactions;

namespace FastLoad.Benchmarks.Signing;

/// <summary>
/// The secp256k1 sign call alone, and a full tx: encode + signing hash + sign + envelope + tx hash + hex,
/// for each type. The gap between the two is everything FastLoad adds on top of libsecp256k1.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory(Macro.HotPath.Category)]
public class SignBenchmarks
{
    private readonly byte[] _hash = new byte[32];
    private readonly byte[] _signature = new byte[64];
    private readonly byte[] _envelope = new byte[512];
    private readonly byte[] _txHash = new byte[32];
    private readonly byte[] _hex = new byte[1100];
    private ulong _nonce;

    [GlobalSetup]
    public void Setup() => new Random(1).NextBytes(_hash);

    [Benchmark(Baseline = true)]
    public int Secp256k1SignOnly()
    {
        _hash[0]++;
        return Secp256k1.Sign(_hash, Fixtures.Key.Bytes, _signature);
    }

    private int Full<TTx>(in TTx tx) where TTx : struct, ISignableTransaction
    {
        int length = TransactionSigner.Sign(tx, Fixtures.Key, _envelope, _txHash);
        return Hex.WritePrefixedUtf8(_envelope.AsSpan(0, length), _hex);
    }

    [Benchmark]
    public int FullTxDynamicFee() => Full(Fixtures.DynamicFee(_nonce++));

    [Benchmark]
    public int FullTxLegacy() => Full(Fixtures.Legacy(_nonce++));

    [Benchmark]
    public int FullTxAccessList() => Full(Fixtures.AccessListTx(_nonce++));

    [Benchmark]
    public int FullTxSetCode() => Full(Fixtures.SetCode(_nonce++));
}
