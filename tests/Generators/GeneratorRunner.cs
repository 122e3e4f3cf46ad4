using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using FastLoad.Engine.Rlp;
using FastLoad.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FastLoad.Tests.Generators;

/// <summary>
/// Compiles C# source in memory against the runtime and FastLoad.Engine, runs <see cref="RlpGenerator"/>
/// over it with step tracking on, and can load the result to call into it.
/// </summary>
internal static class GeneratorRunner
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    private static readonly Assembly EngineAssembly = typeof(RlpSerializableAttribute).Assembly;

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    /// <summary>The runtime's own assemblies (not the test's dependencies) plus FastLoad.Engine.</summary>
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        ImmutableArray<MetadataReference>.Builder references = ImmutableArray.CreateBuilder<MetadataReference>();
        foreach (string path in trusted.Split(Path.PathSeparator))
        {
            if (path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && Path.GetDirectoryName(path) == runtimeDirectory)
            {
                references.Add(MetadataReference.CreateFromFile(path));
            }
        }
        references.Add(MetadataReference.CreateFromFile(EngineAssembly.Location));
        return references.ToImmutable();
    }

    public static CSharpCompilation CreateCompilation(params string[] sources)
    {
        SyntaxTree[] trees = new SyntaxTree[sources.Length];
        for (int i = 0; i < sources.Length; i++)
        {
            trees[i] = CSharpSyntaxTree.ParseText(sources[i], ParseOptions, path: $"Source{i}.cs");
        }
        return CSharpCompilation.Create(
            "FastLoad.GeneratorTest",
            trees,
            References.Value,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                allowUnsafe: true,
                nullableContextOptions: NullableContextOptions.Enable));
    }

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            [new RlpGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once over <paramref name="sources"/>.</summary>
    public static GeneratorRun Run(params string[] sources) => Run(CreateDriver(), CreateCompilation(sources));

    public static GeneratorRun Run(GeneratorDriver driver, Compilation compilation)
    {
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        return new GeneratorRun(driver, compilation, output, diagnostics, result);
    }

    /// <summary>
    /// Emits <paramref name="compilation"/>, loads it in a collectible context that shares the
    /// already-loaded FastLoad.Engine (so Engine types are the same on both sides), and calls
    /// <c>public static object Method(args)</c> of <paramref name="typeName"/>.
    /// </summary>
    public static object? Invoke(Compilation compilation, string typeName, string methodName, params object?[] args)
    {
        using MemoryStream image = new();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        image.Position = 0;

        TestLoadContext context = new();
        try
        {
            Assembly assembly = context.LoadFromStream(image);
            MethodInfo method = assembly.GetType(typeName, throwOnError: true)!.GetMethod(methodName, BindingFlags.Public | BindingFlags.Static)
                ?? throw new MissingMethodException(typeName, methodName);
            return method.Invoke(null, args);
        }
        finally
        {
            context.Unload();
        }
    }

    private sealed class TestLoadContext() : AssemblyLoadContext("FastLoad.GeneratorTest", isCollectible: true)
    {
        protected override Assembly? Load(AssemblyName assemblyName) =>
            assemblyName.Name == EngineAssembly.GetName().Name ? EngineAssembly : null;
    }
}

/// <summary>One generator run: the driver (to run again), the input and output compilations and what the generator produced.</summary>
internal sealed record GeneratorRun(
    GeneratorDriver Driver,
    Compilation Input,
    Compilation Output,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    GeneratorRunResult Result)
{
    public ImmutableArray<GeneratedSourceResult> GeneratedSources => Result.GeneratedSources;

    /// <summary>Text of the source generated for <paramref name="hintName"/>, or null if none was.</summary>
    public string? Source(string hintName) =>
        GeneratedSources.FirstOrDefault(s => s.HintName == hintName).SourceText?.ToString();

    /// <summary>Errors of the compilation with the generated sources added.</summary>
    public ImmutableArray<Diagnostic> OutputErrors() =>
        [.. Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)];

    /// <summary>Warnings and errors the compiler reports inside generated files (a user project treating warnings as errors would fail on them).</summary>
    public ImmutableArray<Diagnostic> GeneratedCodeIssues()
    {
        HashSet<SyntaxTree> generated = [.. Output.SyntaxTrees.Except(Input.SyntaxTrees)];
        return [.. Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree is { } tree && generated.Contains(tree))];
    }

    /// <summary>The generator's diagnostics, formatted for assertion messages.</summary>
    public string Describe() =>
        string.Join(Environment.NewLine, GeneratorDiagnostics.Concat(OutputErrors()).Select(d => d.ToString()));
}
