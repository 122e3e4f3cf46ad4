using Microsoft.CodeAnalysis;

namespace FastLoad.Tests.Generators;

/// <summary>One test per FLRLP diagnostic: the id, where it points, and that no code is emitted for the type.</summary>
public class RlpGeneratorDiagnosticsTests
{
    private const string Usings = """
        using System;
        using FastLoad.Engine.Primitives;
        using FastLoad.Engine.Rlp;

        namespace Sample;

        """;

    /// <summary>Runs the generator, asserts it reported exactly <paramref name="id"/> (once per expected location) and generated nothing.</summary>
    private static GeneratorRun AssertReports(string source, string id, params string[] flaggedTexts)
    {
        GeneratorRun run = GeneratorRunner.Run(Usings + source);
        Diagnostic[] reported = [.. run.GeneratorDiagnostics];
        Assert.All(reported, d => Assert.Equal(id, d.Id));
        Assert.All(reported, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
        string[] flagged = [.. reported.Select(d => FlaggedText(run, d))];
        Assert.Equal(flaggedTexts, flagged);
        Assert.Empty(run.GeneratedSources);
        return run;
    }

    /// <summary>
    /// The source text a diagnostic points at. The generator keeps locations as plain values
    /// (path + span), so they come back as file locations, not tied to a syntax tree.
    /// </summary>
    private static string FlaggedText(GeneratorRun run, Diagnostic diagnostic)
    {
        string path = diagnostic.Location.GetLineSpan().Path;
        SyntaxTree tree = run.Input.SyntaxTrees.Single(t => t.FilePath == path);
        return tree.GetText().ToString(diagnostic.Location.SourceSpan);
    }

    [Fact]
    public void Reports_FLRLP001_when_type_is_not_partial()
    {
        GeneratorRun run = AssertReports(
            """
            [RlpSerializable]
            public struct Plain
            {
                [RlpField(0)] public ulong Nonce;
            }
            """,
            "FLRLP001",
            "Plain");
        Assert.Contains("'Sample.Plain' must be declared partial", run.GeneratorDiagnostics[0].GetMessage());
    }

    [Fact]
    public void Reports_FLRLP001_when_a_containing_type_is_not_partial()
    {
        GeneratorRun run = AssertReports(
            """
            public partial class Outer
            {
                public class Middle
                {
                    [RlpSerializable]
                    public partial struct Inner
                    {
                        [RlpField(0)] public ulong Nonce;
                    }
                }
            }
            """,
            "FLRLP001",
            "Middle");
        Assert.Contains("'Sample.Outer.Middle' must be declared partial so that the RLP encoder of 'Sample.Outer.Middle.Inner'", run.GeneratorDiagnostics[0].GetMessage());
    }

    [Theory]
    [InlineData("string")]
    [InlineData("int")]
    [InlineData("long")]
    [InlineData("bool")]
    [InlineData("byte[]")]
    [InlineData("Memory<byte>")]
    [InlineData("ReadOnlyMemory<int>")]
    [InlineData("ReadOnlyMemory<ReadOnlyMemory<string>>")]
    [InlineData("ulong?")]
    [InlineData("UInt256?")]
    [InlineData("Hash256?")]
    [InlineData("Plain")]
    [InlineData("Plain?")]
    public void Reports_FLRLP002_for_an_unsupported_member_type(string memberType)
    {
        GeneratorRun run = AssertReports(
            $$"""
            public struct Plain { public ulong A; }

            [RlpSerializable]
            public partial struct Holder
            {
                [RlpField(0)] public ulong Nonce;
                [RlpField(1)] public {{memberType}} Payload;
            }
            """,
            "FLRLP002",
            "Payload");
        string message = run.GeneratorDiagnostics[0].GetMessage();
        Assert.Contains("Member 'Payload' of 'Sample.Holder' has type", message);
        Assert.Contains("supported: byte, uint, ulong, UInt256, Address, Address?, Hash256", message);
    }

    [Fact]
    public void Reports_FLRLP002_for_an_unsupported_property_type()
    {
        AssertReports(
            """
            [RlpSerializable]
            public partial struct Holder
            {
                [RlpField(0)] public decimal Price { get; set; }
            }
            """,
            "FLRLP002",
            "Price");
    }

    [Fact]
    public void Reports_FLRLP003_when_two_members_share_an_order()
    {
        GeneratorRun run = AssertReports(
            """
            [RlpSerializable]
            public partial struct Twice
            {
                [RlpField(0)] public ulong Nonce;
                [RlpField(1)] public ulong GasLimit;
                [RlpField(1)] public UInt256 Value;
            }
            """,
            "FLRLP003",
            "Value");
        Assert.Equal("Members 'GasLimit' and 'Value' of 'Sample.Twice' both have [RlpField] order 1", run.GeneratorDiagnostics[0].GetMessage());
    }

    [Fact]
    public void Reports_FLRLP004_when_an_order_is_skipped()
    {
        GeneratorRun run = AssertReports(
            """
            [RlpSerializable]
            public partial struct Gap
            {
                [RlpField(0)] public ulong Nonce;
                [RlpField(2)] public ulong GasLimit;
            }
            """,
            "FLRLP004",
            "GasLimit");
        Assert.Equal("The [RlpField] orders of 'Sample.Gap' must run from 0 without gaps, but no member has order 1", run.GeneratorDiagnostics[0].GetMessage());
    }

    [Fact]
    public void Reports_FLRLP004_for_each_missing_order_including_zero()
    {
        GeneratorRun run = AssertReports(
            """
            [RlpSerializable]
            public partial struct LateStart
            {
                [RlpField(2)] public ulong Nonce;
            }
            """,
            "FLRLP004",
            "Nonce",
            "Nonce");
        Assert.EndsWith("order 0", run.GeneratorDiagnostics[0].GetMessage());
        Assert.EndsWith("order 1", run.GeneratorDiagnostics[1].GetMessage());
    }

    [Fact]
    public void Reports_FLRLP005_when_no_member_has_RlpField()
    {
        GeneratorRun run = AssertReports(
            """
            [RlpSerializable]
            public partial struct Empty
            {
                public ulong NotEncoded;
            }
            """,
            "FLRLP005",
            "Empty");
        Assert.Equal("'Sample.Empty' is marked [RlpSerializable] but has no [RlpField] members", run.GeneratorDiagnostics[0].GetMessage());
    }

    [Fact]
    public void Reports_FLRLP006_when_an_order_is_negative()
    {
        GeneratorRun run = AssertReports(
            """
            [RlpSerializable]
            public partial struct Negative
            {
                [RlpField(-1)] public ulong Nonce;
                [RlpField(0)] public ulong GasLimit;
            }
            """,
            "FLRLP006",
            "Nonce");
        Assert.Equal("Member 'Nonce' of 'Sample.Negative' has [RlpField] order -1, but orders start at 0", run.GeneratorDiagnostics[0].GetMessage());
    }

    [Theory]
    [InlineData("public static ulong Shared;", "Shared")]
    [InlineData("public static ulong SharedProperty => 1;", "SharedProperty")]
    [InlineData("public ulong WriteOnly { set { } }", "WriteOnly")]
    public void Reports_FLRLP007_when_the_member_cannot_be_read_per_instance(string member, string name)
    {
        AssertReports(
            $$"""
            [RlpSerializable]
            public partial struct Unreadable
            {
                [RlpField(0)] public ulong Nonce;
                [RlpField(1)] {{member}}
            }
            """,
            "FLRLP007",
            name);
    }

    [Fact]
    public void Reports_every_problem_of_a_type_at_once()
    {
        GeneratorRun run = GeneratorRunner.Run(Usings + """
            [RlpSerializable]
            public struct Many
            {
                [RlpField(0)] public string Name;
                [RlpField(0)] public ulong Nonce;
                [RlpField(3)] public ulong GasLimit;
            }
            """);
        Assert.Equal(["FLRLP001", "FLRLP002", "FLRLP003", "FLRLP004", "FLRLP004"], run.GeneratorDiagnostics.Select(d => d.Id));
        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void Emits_valid_types_next_to_invalid_ones()
    {
        GeneratorRun run = GeneratorRunner.Run(Usings + """
            [RlpSerializable]
            public struct Broken
            {
                [RlpField(0)] public ulong Nonce;
            }

            [RlpSerializable]
            public partial struct Fine
            {
                [RlpField(0)] public ulong Nonce;
            }
            """);
        Assert.Equal("FLRLP001", Assert.Single(run.GeneratorDiagnostics).Id);
        Assert.Equal("Sample.Fine.Rlp.g.cs", Assert.Single(run.GeneratedSources).HintName);
    }

    [Fact]
    public void Adds_no_diagnostic_when_the_member_type_does_not_exist()
    {
        // The compiler already reports CS0246; a second error from the generator would only be noise.
        GeneratorRun run = GeneratorRunner.Run(Usings + """
            [RlpSerializable]
            public partial struct Typo
            {
                [RlpField(0)] public Uint256 Value;
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.GeneratedSources);
        Assert.Contains(run.Input.GetDiagnostics(), d => d.Id == "CS0246");
    }
}
