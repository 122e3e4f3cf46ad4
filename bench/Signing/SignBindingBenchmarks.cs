using BenchmarkDotNet.Attributes;
using FastLoad.Engine.Crypto;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Transactions;
using PackageSecp256k1 = Secp256k1Net.Secp256k1;

namespace FastLoad.Benchmarks.Signing;

/// <summary>
/// The same libsecp256k1 file (Secp256k1.Net 2.0.0's) called two ways: FastLoad's former <c>LibraryImport</c>s
/// (<see cref="FormerSecp256k1Binding"/>) and the package's C# API (its span overloads), which the engine now uses
/// (<c>Engine.Signing.Secp256k1</c>). Sign-only, and a full EIP-1559 tx (signing hash, sign, envelope, tx hash, hex)
/// built the same way around either call. The engine keeps a hand-written binding only if it is faster.
/// </summary>
[MemoryDiagnoser]
public class SignBindingBenchmarks
{
    private readonly byte[] _hash = new byte[32];
    private readonly byte[] _signature = new byte[64];
    private readonly byte[] _recoverable = new byte[65];
    private readonly byte[] _envelope = new byte[512];
    private readonly byte[] _txHash = new byte[32];
    private readonly byte[] _hex = new byte[1100];
    private PackageSecp256k1 _package = null!;
    private ulong _nonce;

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_hash);
        _package = new PackageSecp256k1();
        FormerSecp256k1Binding.Sign(_hash, Fixtures.Key.Bytes, _signature); // creates its context
    }

    [GlobalCleanup]
    public void Cleanup() => _package.Dispose();

    [Benchmark(Baseline = true)]
    public int SignFormerLibraryImport()
    {
        _hash[0]++;
        return FormerSecp256k1Binding.Sign(_hash, Fixtures.Key.Bytes, _signature);
    }

    [Benchmark]
    public int SignPackageApi()
    {
        _hash[0]++;
        return PackageSign(_hash, _signature);
    }

    private int PackageSign(ReadOnlySpan<byte> hash32, Span<byte> signature64)
    {
        if (!_package.EcdsaSignRecoverable(_recoverable, hash32, Fixtures.Key.Bytes)) throw new InvalidOperationException("sign failed");
        _package.EcdsaRecoverableSignatureSerializeCompact(signature64, out int recoveryId, _recoverable);
        return recoveryId;
    }

    [Benchmark]
    public int FullTxFormerLibraryImport()
    {
        var tx = Fixtures.DynamicFee(_nonce++);
        Span<byte> signingHash = stackalloc byte[32];
        tx.WriteSigningHash(signingHash);
        Span<byte> compact = stackalloc byte[64];
        int recoveryId = FormerSecp256k1Binding.Sign(signingHash, Fixtures.Key.Bytes, compact);
        return Finish(tx, compact, recoveryId);
    }

    [Benchmark]
    public int FullTxPackageApi()
    {
        var tx = Fixtures.DynamicFee(_nonce++);
        Span<byte> signingHash = stackalloc byte[32];
        tx.WriteSigningHash(signingHash);
        Span<byte> compact = stackalloc byte[64];
        int recoveryId = PackageSign(signingHash, compact);
        return Finish(tx, compact, recoveryId);
    }

    // What TransactionSigner.Sign does after the sign call, then the hex the request carries.
    private int Finish<TTx>(in TTx tx, ReadOnlySpan<byte> compact, int recoveryId) where TTx : struct, ISignableTransaction
    {
        var signature = Signature.FromCompact(compact, recoveryId);
        int length = tx.WriteSigned(_envelope, signature);
        Keccak256.Hash(_envelope.AsSpan(0, length), _txHash);
        return Hex.WritePrefixedUtf8(_envelope.AsSpan(0, length), _hex);
    }
}
