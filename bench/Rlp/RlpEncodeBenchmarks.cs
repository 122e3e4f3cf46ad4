using BenchmarkDotNet.Attributes;
using FastLoad.Engine.Rlp;
using FastLoad.Engine.Transactions;

namespace FastLoad.Benchmarks.Rlp;

/// <summary>RLP encoding of each tx type's body through its generated encoder, into a span.</summary>
[MemoryDiagnoser]
[BenchmarkCategory(Macro.HotPath.Category)]
public class RlpEncodeBenchmarks
{
    private readonly byte[] _buffer = new byte[1024];
    private LegacyTransaction _legacy;
    private AccessListTransaction _accessList;
    private DynamicFeeTransaction _dynamicFee;
    private SetCodeTransaction _setCode;

    [GlobalSetup]
    public void Setup()
    {
        _legacy = Fixtures.Legacy(7);
        _accessList = Fixtures.AccessListTx(7);
        _dynamicFee = Fixtures.DynamicFee(7);
        _setCode = Fixtures.SetCode(7);
        // Sanity: the generated length function agrees with the bytes written.
        if (Encode(_setCode) != _setCode.GetRlpLength()) throw new InvalidOperationException("length mismatch");
    }

    private int Encode<T>(in T tx) where T : struct, IRlpEncodable
    {
        var writer = new SpanRlpWriter(_buffer);
        tx.EncodeRlp(ref writer);
        return writer.Position;
    }

    [Benchmark(Baseline = true)]
    public int DynamicFee() => Encode(_dynamicFee);

    [Benchmark]
    public int Legacy() => Encode(_legacy);

    [Benchmark]
    public int AccessList() => Encode(_accessList);

    [Benchmark]
    public int SetCode() => Encode(_setCode);
}
