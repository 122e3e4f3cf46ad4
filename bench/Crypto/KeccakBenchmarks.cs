using BenchmarkDotNet.Attributes;
using FastLoad.Engine.Crypto;

namespace FastLoad.Benchmarks.Crypto;

[MemoryDiagnoser]
[BenchmarkCategory(Macro.HotPath.Category)]
public class KeccakBenchmarks
{
    private byte[] _input = [];
    private readonly byte[] _output = new byte[32];

    /// <summary>32 B (a hash), 136 B (exactly one rate block), 1 KiB (calldata-sized).</summary>
    [Params(32, 136, 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _input = new byte[Size];
        new Random(42).NextBytes(_input);
    }

    [Benchmark(Baseline = true)]
    public byte Hash()
    {
        Keccak256.Hash(_input, _output);
        return _output[0];
    }
}
