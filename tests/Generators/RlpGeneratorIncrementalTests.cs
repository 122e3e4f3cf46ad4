using System.Collections;
using System.Reflection;
using FastLoad.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FastLoad.Tests.Generators;

/// <summary>The pipeline caches: edits that do not touch a serializable struct re-emit nothing.</summary>
public class RlpGeneratorIncrementalTests
{
    private const string Serializable = """
        using System;
        using FastLoad.Engine.Primitives;
        using FastLoad.Engine.Rlp;

        namespace Sample;

        [RlpSerializable]
        public partial struct Transfer
        {
            [RlpField(0)] public ulong Nonce;
            [RlpField(1)] public Address? To;
            [RlpField(2)] public ReadOnlyMemory<Hash256> Keys;
        }

        public static class Helper
        {
            public static int Twice(int x) => x * 2;
        }
        """;

    private static readonly IncrementalStepRunReason[] NotRecomputed = [IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged];

    private static IncrementalStepRunReason[] Reasons(GeneratorRun run, string step) =>
        [.. run.Result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason)];

    private static IncrementalStepRunReason[] OutputReasons(GeneratorRun run) =>
        [.. run.Result.TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs).Select(o => o.Reason)];

    [Fact]
    public void Adding_an_unrelated_file_leaves_the_model_cached()
    {
        GeneratorRun first = GeneratorRunner.Run(Serializable);
        Assert.Single(first.GeneratedSources);

        Compilation edited = first.Input.AddSyntaxTrees(
            CSharpSyntaxTree.ParseText("public static class Unrelated { public static int One() => 1; }", GeneratorRunner.ParseOptions, path: "Unrelated.cs"));
        GeneratorRun second = GeneratorRunner.Run(first.Driver, edited);

        Assert.NotEmpty(Reasons(second, TrackingNames.Model));
        Assert.All(Reasons(second, TrackingNames.Model), reason => Assert.Contains(reason, NotRecomputed));
        Assert.All(Reasons(second, TrackingNames.Types), reason => Assert.Contains(reason, NotRecomputed));
        Assert.All(OutputReasons(second), reason => Assert.Contains(reason, NotRecomputed));
        Assert.Equal(first.Source("Sample.Transfer.Rlp.g.cs"), second.Source("Sample.Transfer.Rlp.g.cs"));
    }

    [Fact]
    public void Editing_a_method_body_in_the_same_file_leaves_the_model_unchanged()
    {
        GeneratorRun first = GeneratorRunner.Run(Serializable);

        SyntaxTree tree = first.Input.SyntaxTrees.Single();
        SyntaxTree editedTree = tree.WithChangedText(tree.GetText().Replace(
            Serializable.IndexOf("x * 2", StringComparison.Ordinal), "x * 2".Length, "x + x"));
        GeneratorRun second = GeneratorRunner.Run(first.Driver, first.Input.ReplaceSyntaxTree(tree, editedTree));

        Assert.NotEmpty(Reasons(second, TrackingNames.Model));
        Assert.All(Reasons(second, TrackingNames.Model), reason => Assert.Contains(reason, NotRecomputed));
        Assert.All(OutputReasons(second), reason => Assert.Contains(reason, NotRecomputed));
    }

    [Fact]
    public void Changing_the_struct_recomputes_the_model()
    {
        // The check above must be able to fail: a real change to the struct is seen as one.
        GeneratorRun first = GeneratorRunner.Run(Serializable);

        SyntaxTree tree = first.Input.SyntaxTrees.Single();
        string changed = Serializable.Replace("public ulong Nonce;", "public UInt256 Nonce;", StringComparison.Ordinal);
        GeneratorRun second = GeneratorRunner.Run(first.Driver, first.Input.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(changed))));

        Assert.Equal([IncrementalStepRunReason.Modified], Reasons(second, TrackingNames.Model));
        Assert.Contains(IncrementalStepRunReason.Modified, OutputReasons(second));
    }

    [Fact]
    public void Step_outputs_hold_no_compilation_symbol_or_syntax()
    {
        // Holding any of these would pin old compilations in memory and defeat the cache comparisons.
        GeneratorRun run = GeneratorRunner.Run(Serializable + """

            [RlpSerializable]
            public struct Broken
            {
                [RlpField(0)] public string Name;
            }
            """);
        Assert.NotEmpty(run.GeneratorDiagnostics);
        foreach (string step in new[] { TrackingNames.Model, TrackingNames.Types, TrackingNames.Diagnostics })
        {
            foreach ((object value, _) in run.Result.TrackedSteps[step].SelectMany(s => s.Outputs))
            {
                AssertPlainValues(value, step, []);
            }
        }
    }

    private static readonly Type[] Forbidden = [typeof(Compilation), typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(SemanticModel), typeof(Location)];

    private static void AssertPlainValues(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum) return;
        Type type = value.GetType();
        Assert.False(Forbidden.Any(f => f.IsAssignableFrom(type)), $"{path} holds a {type}");
        if (value is DiagnosticDescriptor || !seen.Add(value)) return; // a descriptor is an immutable, equatable singleton
        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (object? item in items) AssertPlainValues(item, $"{path}[{i++}]", seen);
            return;
        }
        for (Type? t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                AssertPlainValues(field.GetValue(value), $"{path}.{field.Name}", seen);
            }
        }
    }
}
