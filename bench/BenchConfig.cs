using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Validators;

namespace FastLoad.Benchmarks;

/// <summary>The one config every benchmark runs with: allocations, ops/s, JSON + Markdown, JIT check.</summary>
public static class BenchConfig
{
    public static IConfig Create() => DefaultConfig.Instance
        .AddDiagnoser(MemoryDiagnoser.Default)
        .AddColumn(StatisticColumn.OperationsPerSecond)
        .AddExporter(MarkdownExporter.GitHub)
        .AddExporter(JsonExporter.Full)
        .AddValidator(JitOptimizationsValidator.FailOnError)
        .WithOptions(ConfigOptions.JoinSummary);
}
